## 全站
site-name = 重庆基层法律服务公共查询
skip-to-content = 跳到正文
nav-label = 主导航
nav-home = 首页
nav-verify = 核验
nav-districts = 区县统计
nav-disclosures = 不良信息公示
nav-announcements = 公告
nav-complaints = 投诉
lang-switch = English
lang-switch-tag = en
demo-data = 演示数据
demo-banner = ：本站当前展示的机构、人员、考核、处分和区县律师人数均为虚构的演示数据，不代表任何真实人员或机构。
footer = 依据《重庆市基层法律服务队伍发展方案》（渝司发〔2020〕37号）公开。信息截至 { $today }。
glossary-note = 说明：基层法律服务所、基层法律服务工作者是中国特有的法律服务角色。

## 错误页
error-title = 出错了
error-not-found = 未找到
error-back-home = 返回首页

## 核验
verify-title = 核验执业状态
verify-intro = 输入执业证号（可含全角数字和空格），可选填姓名或机构名称，核对是否一致。
field-license-no = 执业证号
verify-name-label = 姓名或机构名称（选填）
verify-submit = 核验
verify-as-of = 截至 { $date }，
verify-name-matches = 执业证号与所填名称一致。
verify-see-profile = 查看详细信息
verify-mismatch = 执业证号 { $license_no } 与所填名称不符。请向对方索要执业证原件核对，或直接按执业证号查询。
verify-miss = 未找到执业证号为 { $license_no } 的基层法律服务工作者或法律服务所。对方可能未取得执业资格，请谨慎委托。

## 首页
home-title = 查找基层法律服务所，核实法律服务工作者
home-by-license = 按执业证号查询
home-license-placeholder = 例如 4500101000123，可输入全角数字
home-lookup = 查询
home-by-name = 按姓名、机构名称、拼音或首字母搜索
home-name-placeholder = 例如 张三、zhangsan、zs、龙沙镇
home-search = 搜索
home-near = 附近的法律服务所
home-use-position = 使用我的位置查找
home-or-district = 或选择区县
home-choose-district = 请选择区县
home-township = 乡镇街道（可不填）
home-township-placeholder = 例如 龙沙镇
home-find = 查找
home-figures = 全市概况
home-demo-suffix = （演示数据）
home-offices = 家执业中的基层法律服务所
home-workers = 名执业中的基层法律服务工作者
home-districts = 个区县，其中
home-districts-below-n = { $n } 个
home-districts-below = 每万人律师数低于 2.3

role-worker = 基层法律服务工作者
