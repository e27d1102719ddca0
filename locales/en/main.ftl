## Whole site
site-name = Chongqing Grassroots Legal Services Public Register
skip-to-content = Skip to content
nav-label = Main navigation
nav-home = Home
nav-verify = Verify
nav-districts = Districts
nav-disclosures = Disciplinary disclosures
nav-announcements = Announcements
nav-complaints = Complaints
lang-switch = 中文
lang-switch-tag = zh-CN
demo-data = Demo data
demo-banner = : the offices, workers, reviews, sanctions and district lawyer counts shown here are fictitious demo data and represent no real person or office.
footer = Published under the Chongqing Grassroots Legal Service Workforce Development Plan (Yu Si Fa [2020] No. 37). Information as of { $today }.
glossary-note = Note: a "grassroots legal service office" (基层法律服务所) and a "grassroots legal service worker" (基层法律服务工作者) are Chinese legal roles with no exact English counterpart; they are neither law firms nor lawyers. Names of people, offices and places are given in Chinese.

## Error page
error-title = Something went wrong
error-not-found = Not found
error-back-home = Back to the home page

## Verify
verify-title = Verify practising status
verify-intro = Enter a licence number (full-width digits and spaces are fine) and, optionally, a name or office name to check that they match.
field-license-no = Licence number
verify-name-label = Name or office name (optional)
verify-submit = Verify
verify-as-of = As of { $date }:{" "}
verify-name-matches = The licence number matches the name given.
verify-name-only = No license number was given. To look up by name: 
verify-name-only-search = search for grassroots legal service workers named “{ $name }”
verify-see-profile = See the full profile
verify-mismatch = Licence number { $license_no } does not match the name given. Ask to see the original licence, or look the number up directly.
verify-miss = No grassroots legal service worker or office holds licence number { $license_no }. They may not be licensed to practise; take care before instructing them.

## Home
home-title = Find a grassroots legal service office, verify a legal service worker
home-by-license = Look up by licence number
home-license-placeholder = e.g. 4500101000123; full-width digits are fine
home-lookup = Look up
home-by-name = Search by name, office name, pinyin or initials
home-name-placeholder = e.g. 张三, zhangsan, zs, 龙沙镇
home-search = Search
home-near = Legal service offices near you
home-use-position = Use my position
home-or-district = Or choose a district
home-choose-district = Choose a district
home-township = Township or street (optional)
home-township-placeholder = e.g. 龙沙镇
home-find = Find
home-figures = The city at a glance
home-demo-suffix = {" "}(demo data)
home-offices = practising grassroots legal service offices
home-workers = practising grassroots legal service workers
home-districts = districts and counties, of which
home-districts-below-n = { $n }
home-districts-below = {" "}have fewer than 2.3 lawyers per 10,000 residents

role-worker = grassroots legal service worker

## Shared
parens = {" "}({ $x })
colon = :{" "}
list-sep = ,{" "}
list-comma = ,{" "}
full-stop = .
kind-office = Legal service office
kind-worker = Legal service worker
kind-office-lower = legal service office
kind-worker-lower = legal service worker
kind-grassroots-office = Grassroots legal service office
kind-grassroots-worker = Grassroots legal service worker
field-district = District
col-name = Name
col-status = Status
col-year = Year
col-outcome = Outcome
col-rectify-by = Rectify by
filter-submit = Filter
total-items = { $n } in all.
sentence-sep = .{" "}
demo-data-below = The following is demo data.
subscribe-atom = Subscribe (Atom)
pager-label = Pages
pager-prev = Previous
pager-next = Next
pager-page = Page { $page } of { $pages }

## Profiles
credit-standing = Practising status
credit-reviews = Annual reviews
credit-no-reviews = No annual review on record.
credit-disclosures = Disciplinary records (on disclosure)
credit-no-disclosures = No disciplinary record on disclosure.
credit-expired = { $n ->
    [one] { $n } more record is past its disclosure period; its content is no longer public.
   *[other] { $n } more records are past their disclosure period; their content is no longer public.
}
disclosure-decided-on = Decided on { $date }
disclosure-suspended-until = , suspended from practice until { $date }
disclosure-public-until-after = ; disclosed until { $date }
disclosure-facts = Facts:{" "}
disclosure-basis = Basis:{" "}
commendations = Commendations
commendations-none = No commendation on record.
field-office-license-no = Practice permit number
field-registration = Registration status
field-office-district = District
field-address = Address
office-open-map = Open in a map
field-phone = Phone
field-hours = Opening hours
field-director = Director
field-party-org = Party organisation
field-practice-areas = Practice areas
field-established = Established
profile-print-certificate = Print a certificate of practising status
office-staff = Practitioners ({ $n })
office-no-staff = No practitioner is registered at this office.
profile-complaints = Complaints
complaints-concluded = Concluded complaints, { $n } in all:{" "}
complaints-outcome-count = { $label } { $n }
complaints-none = No concluded complaint.
complain-about-office = Complain about this legal service office
complain-about-worker = Complain about this legal service worker
field-gender = Gender
field-worker-office = Office
field-first-licensed = First licensed
field-adviser-posts = Legal adviser to
worker-qr-caption = Scan to verify practising status
worker-qr-alt = QR code to verify practising status
case-title = Can this worker take my case?
case-type = Type of case
case-type-civil-litigation = Civil litigation
case-type-administrative-litigation = Administrative litigation
case-type-non-litigation = Non-litigation legal matters
case-type-mediation = Mediation
case-type-arbitration = Arbitration
case-type-legal-advice = Legal advice
case-type-document-drafting = Drafting legal documents
case-type-criminal-defence = Criminal defence
case-party-a = One party lives in
case-party-b = The other party lives in
case-place-municipality = Chongqing Municipality
case-place-sichuan-border = a Sichuan county bordering Chongqing
case-place-elsewhere = elsewhere
case-not-given = (not given)
case-submit = Check
case-basis-label = Basis
case-reason-criminal-defence = No. Grassroots legal service workers do not act as defenders in criminal cases, so no worker can take a criminal defence; please instruct a lawyer, or apply to the local legal aid centre for legal aid.
case-reason-not-practising = No. This worker may not practise at present ({ $standing }), so cannot take any case.
case-reason-litigation-municipality = Yes. { $case_type } needs at least one party living in Chongqing Municipality, and your case has one; this worker's standing also allows practice.
case-reason-litigation-border-pilot = Yes, but only within a pilot. No party lives in Chongqing Municipality, but one lives in a Sichuan county bordering Chongqing, and this worker's district borders Sichuan: the plan pilots such cases ({ $case_type }) in the Sichuan–Chongqing border area. This is not settled law; please confirm with the office or the district justice bureau first.
case-reason-litigation-border-not-pilot = No. { $case_type } needs at least one party living in Chongqing Municipality; a party living in a bordering Sichuan county counts only in the pilot for districts bordering Sichuan, and this worker's district does not border Sichuan.
case-reason-litigation-outside = No. { $case_type } needs at least one party living in Chongqing Municipality, and your case has none.
case-reason-litigation-outside-border = No. { $case_type } needs at least one party living in Chongqing Municipality (or, in the pilot for this worker's district, which borders Sichuan, in a bordering Sichuan county), and your case has none.
case-reason-any-place = Yes. This work ({ $case_type }) is not limited by where the parties live, and this worker's standing allows practice.
case-basis-criminal-defence = A grassroots legal service worker's scope of practice does not include criminal defence; defenders in criminal cases are lawyers or the other persons the Criminal Procedure Law of the People's Republic of China names (Chongqing plan Yu Si Fa [2020] No. 37, rule 8).
case-basis-not-practising = Only a worker whose licence is in force and who is practising may take cases: a revoked or deregistered licence, a suspension, or a deregistered office rules it out (Measures for the Administration of Grassroots Legal Service Workers).
case-basis-litigation = In civil and administrative litigation at least one party must live in Chongqing Municipality (Chongqing plan Yu Si Fa [2020] No. 37, rule 8).
case-basis-border-pilot = The plan explores letting workers of districts bordering Sichuan represent, in litigation, parties living in the bordering Sichuan counties. This is a pilot scope, not settled law (Chongqing plan Yu Si Fa [2020] No. 37, rule 8).
case-basis-any-place = Non-litigation legal matters, mediation, arbitration, legal advice and drafting legal documents are not limited by where the parties live (Chongqing plan Yu Si Fa [2020] No. 37, rule 8).
case-error-missing = Please give { $parameter }, one of: { $allowed }.
case-error-unknown = “{ $value }” is not a valid { $parameter }; use one of: { $allowed }.
transfers = Changes of office
transfer-from = from
transfer-to = to
transfers-none = No change of office on record.

## Districts
districts-title = Lawyers and legal services by district
districts-intro = Lawyers per 10,000 residents (lawyer ratio) and lawyers plus grassroots legal service workers per 10,000 residents (service ratio), against the plan's target of 2.3. Districts whose lawyer ratio reaches 2.3 license no new grassroots legal service workers.{" "}
districts-demo = Lawyer counts are demo data.
col-population = Residents
col-lawyers = Lawyers
col-workers = Workers
col-lawyer-ratio = Lawyer ratio
col-service-ratio = Service ratio
col-against-target = Against 2.3
col-province = Province
col-districts = Districts
col-districts-below = Districts below the target
districts-by-province = Summed by province; choose a province to see its districts.
districts-all-provinces = Back to all provinces
districts-province-title = Lawyers and legal services by district: { $province }
border-area = Sichuan border
border-area-title = Sichuan–Chongqing border area
below-target = Below target
target-met = Target met
target-unknown = Cannot tell (no population)
all-districts = All districts
district-active-workers = Practising grassroots legal service workers
district-lawyer-ratio = Lawyers per 10,000 residents
district-below-target = {" "}(target 2.3; below target, so new grassroots legal service workers may be licensed)
district-target-met = {" "}(target 2.3; target met, so no new grassroots legal service workers are licensed)
district-target-unknown = {" "}(target 2.3; no resident population imported, so the ratio cannot be computed and rule 1 does not stop new workers)
district-service-ratio = Lawyers and workers per 10,000 residents
district-border-yes = Yes: workers of this district may serve clients from the bordering Sichuan counties and districts
district-offices = Legal service offices ({ $n })
col-office-name = Name
col-area = Area
district-no-offices = No grassroots legal service office is registered in this district.
district-reviews = Annual review results
col-subject = Of
district-no-reviews = No review on record.
district-disclosures = Disciplinary records
district-disclosures-count = { $n } on disclosure.{" "}
district-see-disclosures = See this district's disclosures
paren-open = {" "}(
paren-close = )

## Disclosures and announcements
disclosures-title = Disciplinary disclosures
disclosures-intro = Administrative penalties and industry sanctions within their disclosure period, newest decision first. Withdrawn decisions and records past their disclosure period are not listed.{" "}
disclosures-kind = Kind
disclosures-all-kinds = All kinds
disclosure-public-until = disclosed until { $date }
disclosures-none = No disclosure matches.
announcements-title = Announcements
announcements-intro = Deregistration notices, annual review bulletins and the results of random inspections ("double random, one public").{" "}
announcements-kind = Type
announcements-all-kinds = All types
announcement-concerns = Concerns:{" "}
announcements-none = No announcement yet.

## Certificates
certificate-title = Certificate of practising status
certificate-as-of = On inquiry, as of{" "}
certificate-after-date = , the{" "}
cert-kind-worker = grassroots legal service worker
cert-kind-office = grassroots legal service office
certificate-license-open = {" "}(licence number{" "}
certificate-standing-is = ) has the practising status:{" "}
certificate-code = Certificate code
certificate-check-url = Check at
certificate-qr-caption = Scan to check that this certificate is genuine and see the latest status
certificate-note = This certificate shows the status on the day it was issued only. Practising status can change; the latest result at the check address prevails.
certificate-demo = {" "}This certificate is based on demo data and has no validity whatsoever.
certificate-back = Back to the profile
certificate-check-title = Check a certificate of practising status
certificate-check-also = You can also{" "}
certificate-check-by-license = verify by licence number
certificate-genuine = This is a genuine certificate issued by this register.
certificate-attests = {" "}certifies that as of { $date }, { $name } (licence number{" "}
certificate-attests-standing = ) had the practising status “{ $standing }”.
certificate-changed = Note: the practising status has changed since the certificate was issued. As of { $date }, it is{" "}
certificate-unchanged = As of { $date }, the practising status has not changed.
certificate-changes-since = Changes of the practising status since the certificate was issued on { $date }:
certificate-change-line = from { $date }: { $standing }
certificate-name-changed = The register now names the holder “{ $name }”, not as on the certificate.
certificate-malformed = The certificate code is malformed. A code has 16 letters and digits, like ABCD-EFGH-JKMN-PQRS.
certificate-altered = This certificate record fails its integrity check and may have been tampered with; do not rely on it. Please contact the justice administration.
certificate-unknown = This register has issued no certificate with this code. The code may be mistyped, or the certificate forged.

## Complaints
complaint-new-title = Complain about a grassroots legal service office or worker
complaint-new-intro = Overcharging, poor service, practising without a licence and similar problems can be reported here to the justice bureau. Once you submit, you receive a tracking number and an access code with which to follow the complaint. Your name and phone number go to the justice bureau only; they are stored encrypted and never published.
complaint-fix-errors = { $n ->
    [one] Please correct the item marked below and submit again; everything you typed has been kept.
   *[other] Please correct the { $n } items marked below and submit again; everything you typed has been kept.
}
complaint-subject = Complaint about
complaint-subject-label = Licence number or name
complaint-subject-hint = Enter the office's practice permit number or the worker's licence number, or type a name or office name to look it up.
complaint-subject-confirm = Complaint about:{" "}
complaint-matches = Matches found
search-license-no = licence no.
complaint-content = The complaint
complaint-category = Category
complaint-choose = Please choose
complaint-description = What happened
complaint-description-hint = When, where, what happened and how much money was involved. { $min } to { $max } characters.
complaint-occurred-on = Date it happened
complaint-desired-outcome = What you would like done (optional)
complaint-contact = Your contact details (for the justice bureau only)
complaint-phone = Phone number
complaint-withhold = Please do not reveal my identity to the office or worker complained about
complaint-submit = Submit the complaint
complaint-already = Already complained? Follow its progress
complaint-receipt-title = Complaint submitted
complaint-receipt-keep = Please note down or print this page.{" "}
complaint-receipt-once = The access code is shown this once only
complaint-receipt-sent-again = This form was already sent on { $date }; this is the same receipt again, and nothing was filed twice.
complaint-receipt-lost = ; it cannot be recovered if lost.
complaint-tracking-no = Tracking number
complaint-access-code = Access code
complaint-submitted-on = Submitted on
complaint-accept-by = Decision on acceptance
complaint-accept-by-date = by { $date }
complaint-receipt-follow = With the tracking number and the access code you can follow the complaint on the{" "}
complaint-receipt-follow-after = {" "}page.
complaint-status-title = Complaint progress
complaint-status-heading = Complaint
complaint-current-status = Current status
complaint-overdue = Overdue
complaint-late = {" "}(after the deadline { $date })
complaint-pending = Pending
complaint-due-by = , due by { $date }
complaint-note-reason = Reason
complaint-note-findings = Findings

## Search
search-title = Find legal service offices and workers
search-q-label = Name, office name, pinyin, initials or licence number
search-q-placeholder = e.g. 张三, zhangsan, zs, 龙沙, 4500101000123
search-type = Type
search-all = All
search-standing = Standing
search-facets = Filters
search-degraded = The search service is unavailable for now; these are simplified results (matched by name or licence number, without pinyin).
search-results = { $total ->
    [one] { $total } result
   *[other] { $total } results
}, { $first }–{ $last } shown
search-none = No results
search-by-distance = {" "}(by distance)
search-none-hint = Check what you typed, or remove some filters. Licence numbers may be typed with full-width digits and spaces.
search-distance = about { $d } away
search-pager-label = Pages
search-km = { $n } km
search-m = { $n } m
search-page-title = Search
search-page-title-q = Search for “{ $q }”
search-facet-type = Type
search-facet-standing = Standing
search-facet-district = District
search-facet-township = Township or street
search-facet-area = Area
search-facet-status = Registration status
search-type-disclosure = Disciplinary disclosures
search-type-review = Annual review outcomes
search-review-of = { $year } annual review:{" "}
search-facet-record-kind = Kind
search-facet-year = Year
disclosures-q-label = Search decision numbers, facts or names
disclosures-q-placeholder = a decision number, facts such as overcharging, or a name
search-facet-practice = Practice areas
search-unavailable = Search is unavailable for now; please try again later.

## Page titles
title-home = Grassroots legal services lookup
title-office = { $name } · Legal service office
title-worker = { $name } · Legal service worker
title-district = { $name } · District figures
title-certificate = Certificate of practising status: { $name }
title-complaint = Complaints

## Messages built in Rust
nf-office = No legal service office holds practice permit number { $license_no }.
nf-worker = No legal service worker holds licence number { $license_no }.
nf-district-code = There is no such district code.
nf-district = No district has the code { $code }.
nf-province = There is no province with the code { $code }, or this portal has no district in it.
nf-lookup = No legal service worker or office holds licence number { $license_no }. Please check the number and try again.
nf-certificate = There is no record with this licence number, so no certificate can be issued.
lookup-empty = Please enter a licence number.
bad-page = The page number should be a positive whole number.
bad-discipline-kind = Unknown kind of sanction.
bad-announcement-kind = Unknown type of announcement.
chart-title = Lawyers and legal service capacity per 10,000 residents by district, against 2.3
chart-desc = Dark bars: lawyers per 10,000 residents; light bars: lawyers and grassroots legal service workers per 10,000 residents; the red line is the target of 2.3.
form-cross-site = This form can only be submitted from this site's pages.
form-expired = The page has expired or the submission's origin could not be confirmed; the complaint has not been submitted. Please check what is below and click “Submit the complaint” again.
complaint-subject-missing = Please enter the legal service office or worker complained about.
complaint-subject-too-long = At most { $n } characters.
complaint-subject-no-license = No legal service office or worker holds licence number { $license_no }; please check it, or type a name to look it up.
complaint-subject-no-match = No legal service office or worker has a matching name; please check and try again, or enter the licence number.
complaint-subject-choose = These were found; please choose one and submit again.
complaint-access-code-format = The access code has 16 letters and digits (hyphens allowed); please check it against your receipt.
complaint-no-match = The tracking number and access code do not match; please check them against your receipt and try again.
body-too-long = What was submitted is too long (at most { $kb } KB); please shorten it and try again.
idempotency-key-invalid = Idempotency-Key must be 1 to { $n } visible ASCII characters (a UUID, say).
rate-limited-wait = Too many requests; please try again in { $seconds ->
    [one] { $seconds } second.
   *[other] { $seconds } seconds.
}

## Error codes (ErrorCode::message)
error-msg-not-found = The page or record you asked for was not found.
error-msg-invalid-license-no = The licence number is malformed: it may contain only digits, letters and hyphens.
error-msg-bad-request = The request is malformed.
error-nul-character = The request holds a NUL character (U+0000) and was refused; nothing was changed.
error-msg-unauthorized = A valid access token is required.
error-msg-forbidden = This token may not do this.
error-msg-conflict = That is already under way; please try again later.
error-msg-method-not-allowed = This address does not take this request method.
error-msg-payload-too-large = The upload is over the size limit.
error-msg-unsupported-media-type = This content type is not supported.
error-msg-rate-limited = Too many requests; please try again later.
error-msg-import-rejected = Import rejected: the data has errors and nothing was written.
error-msg-internal = Internal server error; please try again later.
error-msg-unavailable = The service is unavailable for now; please try again later.
error-msg-bad-query = The query parameters are wrong: look for a repeated parameter or one in the wrong format.
error-msg-no-export = No such export: use offices, workers or disclosures.
body-incomplete = The request was not received in full; please try again.

## Standing reasons (src/i18n.rs reason_text_in)
reason-status-revoked = The practising licence has been revoked.
reason-status-deregistered = The practising registration has been cancelled.
reason-status-suspended = The registration status is suspended.
reason-license-revoked = The practising licence was revoked by decision { $decision }.
reason-suspended-until = Suspended from practice by decision { $decision } until { $until }.
reason-suspended = Suspended from practice by decision { $decision }.
reason-rectifying-by = Failed the { $year } annual review; to rectify by { $deadline }.
reason-rectifying = Failed the { $year } annual review; rectification pending.
reason-disclosed = { $action } ({ $decision }), disclosed until { $until }{ $more }.
reason-disclosed-more = {" "}({ $count ->
    [one] { $count } record
   *[other] { $count } records
} on disclosure)
reason-reviewed = The { $year } annual review outcome was “{ $outcome }”; no disciplinary record on disclosure.
reason-newly-licensed = First licensed on { $on }: no annual review is due yet; no adverse record.
reason-last-reviewed = Did not take the { $due } annual review (last reviewed for { $year }).
reason-never-reviewed = Did not take the { $due } annual review; no annual review record.
reason-office-closed = The office { $office } ({ $license_no }) has been deregistered; no one may practise through it.
reason-office-suspended = The office { $office } ({ $license_no }) is suspended from practice.
reason-rectification-overdue = Failed the { $year } annual review; the rectification deadline { $deadline } has passed with no rectification recorded.
reason-rectified = Rectification after the { $year } annual review was completed on { $on }; no disciplinary record on disclosure.

## Exit candidates (/admin/api/exit-candidates)
exit-rectification-overdue = Failed the { $year } annual review; the rectification deadline { $deadline } has passed with no rectification recorded.
exit-no-review-two-years = No annual review taken for { $first } or { $second } (a shell-office lead).
exit-too-few-workers = { $count ->
    [one] { $count } practising worker
   *[other] { $count } practising workers
}, fewer than the minimum of { $min } (a shell-office lead).
exit-office-closed = The office { $office } ({ $license_no }) has been deregistered; the worker has neither moved nor been deregistered.
exit-no-announcement-office = Deregistered or revoked, but no exit notice names the office.
exit-no-announcement-worker = Deregistered or revoked, but no exit notice names the worker.
exit-bad-format = format must be json or csv.
nf-announcement = There is no such announcement.
profile-notices = Notices naming this record

## Import limits and cell checks (src/web/admin/import.rs, src/import/cells.rs)
import-too-large-body = The upload is over the size limit ({ $mb } MB): split it and import the parts one after another.
import-body-unreadable = The upload could not be read: the connection broke or its chunked encoding is wrong. Please upload it again.
import-too-large-expanded = The file expands to more than the limit of { $mb } MB when decompressed: split it and import the parts one after another.
import-too-large-rows = More data rows than the limit of { $max }: split the file and import the parts one after another.
import-too-large-columns = The sheet has { $found } columns, more than the limit of { $max }: keep only the dataset's columns.
import-too-large-columns-unknown = The data has more columns than the limit of { $max }: keep only the dataset's columns.
import-rejected-summary = Import rejected: { $n ->
    [one] { $n } problem
   *[other] { $n } problems
} found, nothing was written.
import-rejected-summary-capped = Import rejected: { $n } problems found (the report lists the first { $shown } by row), nothing was written.
import-cell-too-long = The cell holds { $chars } characters, more than the limit of { $max } a cell.
import-mismatch = The content is not of the declared type { $declared }: { $reason }
import-charset = Unknown character set: { $charset }
import-empty = The file is empty: no header row and no data rows.
import-zip-as-csv = This is an XLSX (ZIP) file: upload it as XLSX.
import-bad-encoding = The content is not valid { $encoding } text.
import-binary = The content holds binary data, not text.
import-bad-json = Not valid JSON (line { $line }, column { $column }).
import-json-not-array = The JSON must be an array of objects.
import-not-utf8 = The content is not UTF-8 text.
import-not-xlsx = The file is not XLSX (it should start with a ZIP header).
import-xlsx-open = Cannot open the XLSX workbook: { $error }
import-xlsx-read = Cannot read the first worksheet: { $error }
import-xlsx-entries = The ZIP holds { $n } files; an XLSX workbook never has so many.
import-xlsx-row-order = The sheet's rows are out of order (row { $row } comes after row { $after }).
import-excel-error = The cell holds Excel's error value { $value } (a formula failed): correct the formula or enter the actual value, then import again.
import-control-character = Contains a control character or noncharacter that is not allowed: { $char }.
import-bidi-in-name = Names may not contain the bidirectional control character { $char }.

## Complaint text checks (src/domain/complaint.rs)
complaint-control-character = Contains a control character that is not allowed ({ $char }); please remove it and submit again.
complaint-bidi-in-name = Names may not contain the bidirectional control character { $char }.
complaint-category-missing = Please choose a category.
complaint-description-too-short = Please describe what happened in at least { $min } characters.
complaint-description-too-long = At most { $max } characters for what happened; there are { $n }.
complaint-date-missing = Please give the date it happened.
complaint-desired-too-long = At most { $max } characters for what you ask for.
complaint-name-missing = Please give your name.
complaint-name-too-long = At most { $max } characters for your name.
complaint-name-characters = Your name contains characters that are not allowed.
complaint-phone-missing = Please give a phone number, so that the justice bureau can reach you.
complaint-tracking-malformed = This is not a tracking number: TS followed by 16 digits and 1 check character, 19 in all.
complaint-tracking-check-digit = The check character of this tracking number does not match: a digit may be mistyped. Please compare it with your receipt.

## Readiness (/readyz, src/web/health.rs)
readiness-database = The database does not answer.
readiness-search-lag = Search is behind: the oldest waiting change has waited { $seconds } s (limit { $limit } s; { $rows } changes waiting).
case-choose = Choose the type of case and where one party lives, then press “Check”.

# Issue 14: a search by the name of a revoked or deregistered worker.
impersonation = The licence of the worker named { $name } is { $status }: they may not provide legal services now.
impersonation-since = The licence of the worker named { $name } is { $status } (since { $date }): they may not provide legal services now.
impersonation-report = Report someone practising under this name
impersonation-profile = See the register
impersonation-title = Take care
impersonation-status-revoked = revoked
impersonation-status-deregistered = deregistered

# Issue 14: record history.
history-title = Changes to the record of { $name }
history-confirmed = Record last confirmed on { $date }
history-registered = { $date } first registered
history-changed = { $date } { $field } changed from { $before } to { $after }
history-none = (none)
feed-standing-changed = Standing changed from “{ $from }” to “{ $to }”
feed-standing-changed-on = From { $on } the standing is “{ $to }” (before: “{ $from }”).
history-empty = No changes recorded yet.
history-pages = Pages
history-recent = Latest changes
history-all = All changes
feed-follow = Follow changes to this record (Atom)

## Reports of wrong information and of unlicensed practice (src/web/pages/reports.rs, src/domain/report.rs)
report-wrong-information = Report wrong information
report-kind = Type
report-about = Concerning
report-submit = Submit
report-already = Already submitted? Follow its progress
report-receipt-title = { $kind } submitted
report-form-expired = The page has expired or the submission's origin could not be confirmed; nothing has been submitted. Please check what is below and click “Submit” again.
report-contact = Your contact details (optional, for the justice bureau only)
report-contact-hint = Leave a phone number so that the justice bureau can reach you while checking; the report is handled without one too. Name and phone are stored encrypted and never published.
report-contact-name = Name
report-contact-phone = Phone number
report-correction-title = Report wrong information
report-correction-intro = If this portal shows something wrong about a legal service office or worker (name, office, address, phone, status and so on), tell the justice bureau here. Once you submit, you receive a tracking number and an access code with which to follow the report.
report-correction-subject = Which profile is wrong
report-license-no = Licence or practice permit number
report-license-no-hint = Filled in when you come from the profile page.
report-correction-confirm = Profile with wrong information:{" "}
report-correction-what = What is wrong
report-correction-description = Which information is wrong, and what is right
report-correction-hint = { $min } to { $max } characters.
report-unlicensed-title = Report unlicensed practice
report-unlicensed-lead = Someone offering legal services without a licence, or an office working away from its registered premises?{" "}
report-unlicensed-intro = Someone offering legal services as a grassroots legal service worker without a licence, or a legal service office running a second office away from its registered premises (which is not allowed), can be reported to the justice bureau here. The person or office need not be on this portal. Once you submit, you receive a tracking number and an access code with which to follow the report.
report-unlicensed-what = The report
report-place = Place
report-place-hint = Where they practise or keep an office: an address, a market or a shop name.
report-name-used = Name or office name used (optional)
report-name-used-hint = The name they give or the sign they put up.
report-unlicensed-description = What happened
report-unlicensed-hint = What they did, what they charged, how you found out. { $min } to { $max } characters.
report-occurred-on = Date it happened (optional)
report-subject-missing = Please enter the licence number of the office or worker whose information is wrong.
report-subject-unknown = No legal service office or worker holds this number; please use “Report wrong information” on the profile page, or check the number.
report-correction-missing = Please say which information is wrong.
report-unlicensed-missing = Please describe what happened.
report-place-missing = Please enter the place.
report-text-too-short = At least { $min } characters.
report-text-too-long = At most { $max } characters; this has { $n }.
report-name-too-long = At most { $max } characters.
report-name-characters = Contains characters that are not allowed.
report-contact-phone-missing = If you leave your name, please leave a phone number too; or leave both empty.
report-contact-phone-format = The phone number is not valid: a mobile number has 11 digits; a landline needs its area code, e.g. 023-61234567.
report-date-format = The date is not valid; for example 2026-11-20.
report-date-future = The date cannot be later than today.
report-date-too-old = The date is too far back; please check it.
reindex-failed = Rebuilding the search index failed; please try again later.
reindex-running = The search index is already being rebuilt (since { $since } UTC); please try again when it is done.
