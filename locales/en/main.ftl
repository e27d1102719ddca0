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
