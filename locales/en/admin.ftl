# The bureau's console at /admin (issue 13).
console-name = Legal services console
console-nav-label = Console navigation
console-nav-dashboard = To do
console-nav-import = Import data
console-nav-imports = Import history
console-nav-complaints = Complaints
console-nav-compliance = Plan rules
console-nav-audit = Audit log
console-nav-public = Public site
console-signed-in-as = Signed in as { $name }
console-role-city = City bureau
console-role-district = District bureau
console-role-complaints = Complaint desk
console-district = district { $code }
console-sign-out = Sign out
console-forbidden = Your account may not see this page.
console-csrf-refused = The form has expired or came from elsewhere. Reload the page and send it again.
console-login-title = Sign in
console-login-intro = Sign in with the account the justice bureau gave you. After 10 wrong passwords in a row the account is locked for 15 minutes.
console-login-name = Account name
console-login-password = Password
console-login-submit = Sign in
console-login-missing = Enter the account name and the password.
console-login-refused = The account name or the password is wrong.
console-login-locked = Too many failed sign-ins: this account is locked. Try again in { $minutes } minutes.
console-dashboard-title = To do
console-dash-complaints = Complaints
console-dash-complaints-summary = { $open } open, { $overdue } past their deadline, { $soon } due within 3 days.
console-dash-complaints-caption = Complaints with the nearest deadlines
console-dash-all-complaints = All complaints
console-dash-imports = Latest imports
console-dash-findings = Plan rules
console-dash-findings-summary = { $n ->
    [one] { $n } breach
   *[other] { $n } breaches
} of the plan's rules now; { $exit ->
    [one] { $exit } exit candidate
   *[other] { $exit } exit candidates
}.
console-dash-outbox = Search index
console-dash-outbox-summary = { $due } updates waiting; the oldest has waited { $seconds } seconds.
console-rule-n = Rule { $rule }
console-none-yet = Nothing yet.
console-overdue = Overdue
console-batch-applied = Imported
console-batch-dry_run = Dry run
console-batch-rejected = Rejected
dataset-districts = Districts
dataset-offices = Legal service offices
dataset-workers = Legal service workers
dataset-transfers = Changes of office
dataset-reviews = Annual reviews
dataset-disciplinary-actions = Disciplinary actions
dataset-commendations = Commendations
dataset-announcements = Notices
console-import-new-title = Import data
console-import-intro = Choose a dataset and a file (CSV in UTF-8 or GBK, XLSX, JSON or NDJSON, up to { $mb } MB). The first step is always a dry run: check the result, then import.
console-import-district-note = This account imports records of district { $code } only; rows about other districts are refused.
console-import-dataset = Dataset
console-import-file = File
console-import-file-hint = Headers may be the Chinese or the English column names; see the templates.
console-import-preview = Check
console-import-templates = Templates
console-import-templates-intro = One XLSX template per dataset, with the Chinese headers and one example row.
console-import-choose-dataset = Choose a dataset.
console-import-choose-file = Choose the file to import.
console-import-unknown-format = Unknown file format: upload a .csv, .xlsx, .json or .ndjson file.
console-import-preview-title = Dry run
console-import-report-title = Import batch #{ $id }
console-import-format = Format
console-import-status = Result
console-import-rows = Data rows
console-import-rejected = { $n ->
    [one] { $n } problem
   *[other] { $n } problems
} found; nothing was imported. Fix the file and upload it again.
console-import-counts = { $inserted } new rows, { $updated } changed, { $unchanged } unchanged.
console-import-apply-intro = The dry run passed. "Import" writes exactly the file just checked (for 30 minutes).
console-import-moved = Another import changed these records after your dry run: below is the same file checked again against the records as they are now, and nothing was written. Check it, then press "Import" again.
console-import-apply = Import
console-import-again = Upload again
console-import-expired = The dry run has expired (after 30 minutes) or was already imported. Upload the file again.
console-import-problems = Problems
console-import-problems-caption = { $n ->
    [one] { $n } problem
   *[other] { $n } problems
}
console-import-problems-omitted = { $n ->
    [one] { $n } more problem not listed.
   *[other] { $n } more problems not listed.
}
console-import-warnings = Plan-rule warnings
console-import-warnings-caption = { $n ->
    [one] { $n } warning
   *[other] { $n } warnings
} (they do not stop the import)
console-import-changes = What changes
console-import-changes-caption = { $total ->
    [one] The changed row
   *[other] The first { $n } changed rows (of { $total })
}
console-import-not-found = No such import batch.
console-imports-title = Import history
console-imports-caption = { $n ->
    [one] { $n } batch
   *[other] { $n } batches
}
console-col-row = Row
console-col-cell = Cell as given
console-col-column = Column
console-col-message = Message
console-col-rule = Rule
console-col-subject = Subject
console-col-record = Record
console-col-field = Field
console-col-before = Before
console-col-after = After
console-col-batch = Batch
console-col-actor = By
console-col-district = District
console-col-time = Time (Beijing)
console-col-tracking = Tracking number
console-col-stage = Stage
console-col-due = Due by
console-col-category = Category
console-col-submitted = Filed on
console-col-occurred = Happened on
console-col-withhold = Identity withheld from the subject
console-col-description = What happened
console-col-desired = What the complainant wants
console-col-outcome = Outcome
console-col-on = Date
console-col-note = Note
console-col-count = Count
console-col-figures = Figures
console-col-reason = Reason
console-col-since = Since
console-col-action = Action
console-col-target = Target
console-col-detail = Detail
console-pages = Pages
console-prev = Previous
console-next = Next
console-page-of = Page { $page } of { $pages }
console-all = All
console-filter = Filter
console-only-overdue = Overdue only
console-not-overdue = Not overdue
console-yes = Yes
console-no = No
console-none = None
console-complaints-title = Complaints
console-complaints-caption = { $n ->
    [one] { $n } complaint
   *[other] { $n } complaints
}
console-no-complaints = No complaint matches.
console-unknown-stage = Unknown stage.
console-bad-filter = Invalid filter.
console-complaint-title = Complaint { $no }
console-complaint-not-found = No complaint has this number, or it is not of this account's district.
console-contact = The complainant's contact
console-reveal-contact = Show the full contact
console-reveal-note = Every view is written to the audit log under your account.
console-contact-purged = The contact was deleted at the end of its retention period.
console-contact-unreadable = The contact is stored sealed, but this portal's key cannot open it (every portal must share one LEGAL_PORTAL_COMPLAINT_KEY), or the record is damaged.
console-contact-none = The reporter left no contact details.
console-col-kind = Type
console-col-place = Place
console-col-name-used = Name used
console-timeline = Timeline
console-next-stage = Next step
console-move-to = Move to
console-move = Save
console-outcome-hint = Only when concluding.
console-note-hint = Declining needs a reason and concluding the findings; at most { $max } characters.
console-choose-stage = Choose the stage to move to.
console-unknown-outcome = Unknown outcome.
console-note-too-long = The note may have at most { $max } characters.
console-transition-not-allowed = The complaint is "{ $from }" and cannot move to that stage.
console-transition-outcome = Concluding needs an outcome; other stages take none.
console-transition-note = Declining needs a reason and concluding the findings.
console-compliance-title = Plan rules
console-download-findings = Download the findings (CSV)
console-download-exit = Download the exit candidates (CSV)
console-rules-caption = The plan's rules 1–8 and how many breach each now
console-findings = Breaches
console-findings-caption = { $n ->
    [one] { $n } breach
   *[other] { $n } breaches
}
console-no-findings = No breach of the plan's rules now.
console-exit = Exit candidates
console-exit-caption = { $n ->
    [one] { $n } candidate
   *[other] { $n } candidates
}
console-no-exit = No exit candidates now.
console-audit-title = Audit log
console-audit-caption = { $n ->
    [one] { $n } entry
   *[other] { $n } entries
}
console-audit-empty = No entry matches.
console-from = From
console-until = Until
console-bad-date = Dates are written YYYY-MM-DD.
console-back = Back to the console
console-form-unreadable = The form could not be read. Reload the page and send it again.
console-failed-unknown = (no such account)
console-show-previews = Show the dry runs too
console-hide-previews = Hide the dry runs
