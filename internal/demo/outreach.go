package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/outreach"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/unit"
)

// demoQuestion is one question of the demo bank: options written out, the
// answer as letters ("AC"; for true/false "T" or "F").
type demoQuestion struct {
	kind        outreach.Kind
	text        string
	options     []string
	answer      string
	explanation string
	tags        []string
}

// Tags of the demo bank.
const (
	tagDust      = "扬尘"
	tagFireworks = "烟花爆竹"
	tagAlert     = "重污染天气"
	tagHeating   = "清洁取暖"
	tagVehicles  = "机动车"
	tagReport    = "举报渠道"
	tagBurning   = "露天焚烧"
	tagFumes     = "餐饮油烟"
	tagLaw       = "法律法规"
	tagLife      = "绿色生活"
)

// QuestionBank is the demo's question bank on air-pollution prevention.
var QuestionBank = []demoQuestion{
	{outreach.Single, "建筑工地扬尘治理要求做到“六个百分之百”，下列哪一项不属于其中？", []string{"施工工地周边100%围挡", "物料堆放100%覆盖", "出入车辆100%清洗", "施工人员100%持证上岗"}, "D",
		"“六个百分之百”指：工地周边围挡、物料堆放覆盖、土方开挖湿法作业、路面硬化、出入车辆清洗、渣土车辆密闭运输。", []string{tagDust}},
	{outreach.Multiple, "下列哪些做法可以减少道路扬尘？", []string{"道路机械化清扫", "洒水降尘", "渣土车密闭运输", "露天堆放沙土不苫盖"}, "ABC",
		"露天堆放的沙土不苫盖会被风吹起，是扬尘的重要来源。", []string{tagDust}},
	{outreach.TrueFalse, "渣土运输车辆只要在夜间行驶，就可以不采取密闭措施。", nil, "F",
		"《大气污染防治法》规定，运输煤炭、垃圾、渣土、砂石、土方等散装、流体物料的车辆，应当采取密闭或者其他措施防止物料遗撒，不分白天夜间。", []string{tagDust, tagLaw}},
	{outreach.Single, "城市空气中PM10的主要来源之一是？", []string{"道路和施工扬尘", "海洋飞沫", "森林释放的氧气", "地热"}, "A",
		"道路扬尘和建筑施工扬尘是城市可吸入颗粒物（PM10）的主要来源之一。", []string{tagDust}},
	{outreach.TrueFalse, "建筑工地土方开挖时应采取湿法作业，减少扬尘。", nil, "T",
		"湿法作业（边洒水边施工）能有效抑制土方开挖产生的扬尘。", []string{tagDust}},
	{outreach.Single, "发现工地裸土未覆盖造成扬尘，下列做法最恰当的是？", []string{"告知网格员或拨打12369举报", "自行驱赶施工人员", "视而不见", "在网上发布未经核实的信息"}, "A",
		"发现扬尘问题可以告知社区网格员，或拨打12369环保举报热线、12345政务服务便民热线反映。", []string{tagDust, tagReport}},
	{outreach.Single, "燃放烟花爆竹会在短时间内大量排放哪类污染物？", []string{"二氧化硫和颗粒物", "氧气", "氮气", "水蒸气"}, "A",
		"烟花爆竹燃放时产生大量二氧化硫、氮氧化物和细颗粒物，短时间内使PM2.5浓度急剧升高。", []string{tagFireworks}},
	{outreach.TrueFalse, "在禁止燃放烟花爆竹的区域，婚丧嫁娶时可以少量燃放。", nil, "F",
		"禁放区域内任何时间、任何理由都不得燃放烟花爆竹，婚丧嫁娶也不例外。", []string{tagFireworks}},
	{outreach.Single, "在禁止燃放的时间、地点燃放烟花爆竹的，由哪个部门责令停止燃放并处罚款？", []string{"公安部门", "市场监管部门", "教育部门", "税务部门"}, "A",
		"《烟花爆竹安全管理条例》规定，在禁止燃放烟花爆竹的时间、地点燃放的，由公安部门责令停止燃放，处100元以上500元以下的罚款。", []string{tagFireworks, tagLaw}},
	{outreach.Multiple, "下列哪些是燃放烟花爆竹的文明替代方式？", []string{"电子鞭炮", "鲜花祝福", "大型礼花", "文艺演出"}, "ABD",
		"大型礼花仍属于烟花爆竹，同样产生大量污染物。", []string{tagFireworks, tagLife}},
	{outreach.TrueFalse, "重污染天气期间燃放烟花爆竹会加重空气污染。", nil, "T",
		"重污染天气时大气扩散条件差，燃放产生的污染物难以扩散，会明显加重污染。", []string{tagFireworks, tagAlert}},
	{outreach.Single, "按照国家统一要求，重污染天气预警由低到高分为哪几级？", []string{"黄色、橙色、红色", "蓝色、绿色、黄色", "红色、橙色、黄色", "一级、二级"}, "A",
		"重污染天气预警统一分为黄色、橙色、红色三级，红色为最高级别。", []string{tagAlert}},
	{outreach.Single, "重污染天气预警中级别最高的是？", []string{"红色预警", "橙色预警", "黄色预警", "蓝色预警"}, "A",
		"红色预警为最高级别，应急减排措施最严格。", []string{tagAlert}},
	{outreach.Multiple, "重污染天气期间，公众可以采取哪些防护措施？", []string{"减少户外活动", "外出佩戴防护口罩", "老人、儿童和病人尽量留在室内", "长时间开窗通风"}, "ABC",
		"重污染时室外空气差，应减少开窗时间，可在污染较轻的时段短时通风。", []string{tagAlert}},
	{outreach.TrueFalse, "空气质量指数（AQI）数值越大，说明空气污染越严重。", nil, "T",
		"AQI越大，级别越高，说明污染越严重，对健康的危害越大。", []string{tagAlert}},
	{outreach.Single, "空气质量指数（AQI）在哪个范围内属于“优良”？", []string{"0～100", "0～150", "0～200", "0～300"}, "A",
		"AQI 0～50为优，51～100为良；优良天数比例是“蓝天行动”的主要考核指标。", []string{tagAlert}},
	{outreach.Single, "重污染天气红色预警期间，通常会采取下列哪项措施？", []string{"建筑工地停止土石方作业", "鼓励露天烧烤", "组织燃放烟花", "取消道路清扫保洁"}, "A",
		"红色预警期间，建筑工地停止土石方作业和拆除作业，并加强道路清扫保洁。", []string{tagAlert, tagDust}},
	{outreach.TrueFalse, "PM2.5是指空气动力学当量直径小于或等于2.5微米的颗粒物，可进入人体肺部。", nil, "T",
		"PM2.5粒径小，能深入肺泡，对呼吸系统和心血管系统危害较大。", []string{tagAlert}},
	{outreach.Single, "冬季清洁取暖推行“煤改电”“煤改气”，主要是为了减少什么？", []string{"散煤燃烧排放", "生活用水量", "交通噪声", "光污染"}, "A",
		"散煤燃烧效率低、没有治污设施，是冬季颗粒物和二氧化硫的重要来源。", []string{tagHeating}},
	{outreach.TrueFalse, "散煤直接燃烧的污染物排放远高于同等热值的天然气。", nil, "T",
		"散煤直接燃烧没有脱硫除尘设施，排放的颗粒物和二氧化硫远高于天然气。", []string{tagHeating}},
	{outreach.Multiple, "下列属于清洁取暖方式的有？", []string{"空气源热泵", "天然气壁挂炉", "集中供热", "燃烧劣质散煤的土暖气"}, "ABC",
		"劣质散煤硫分和灰分高，燃烧污染严重，不属于清洁取暖。", []string{tagHeating}},
	{outreach.Single, "冬季使用燃煤炉具取暖的居民，为防止一氧化碳中毒，应当？", []string{"安装烟囱并保持室内通风", "门窗紧闭保暖", "在卧室内燃烧木炭", "夜间封火后堵住通风口"}, "A",
		"燃煤取暖必须安装合格的烟囱、风斗，保持室内通风，防止一氧化碳中毒。", []string{tagHeating}},
	{outreach.TrueFalse, "城市建成区内可以新建每小时10蒸吨以下的燃煤锅炉。", nil, "F",
		"按照《大气污染防治行动计划》，地级及以上城市建成区基本淘汰每小时10蒸吨及以下的燃煤锅炉，禁止新建每小时20蒸吨以下的燃煤锅炉。", []string{tagHeating, tagLaw}},
	{outreach.Single, "机动车尾气中对形成臭氧污染贡献较大的是？", []string{"氮氧化物和挥发性有机物", "氧气", "氮气", "水蒸气"}, "A",
		"氮氧化物和挥发性有机物在阳光照射下发生光化学反应生成臭氧。", []string{tagVehicles}},
	{outreach.TrueFalse, "发现机动车冒黑烟，可以向生态环境部门或交警部门举报。", nil, "T",
		"机动车冒黑烟说明排放超标，可拍照记录车牌后向生态环境部门或公安交管部门举报。", []string{tagVehicles, tagReport}},
	{outreach.Multiple, "下列哪些做法有助于减少机动车尾气污染？", []string{"绿色出行，多乘公交", "定期保养车辆", "长时间怠速停车", "选用新能源汽车"}, "ABD",
		"车辆长时间怠速既耗油又增加尾气排放。", []string{tagVehicles, tagLife}},
	{outreach.Single, "重型柴油货车排放的主要污染物是？", []string{"颗粒物和氮氧化物", "氧气", "氢气", "氦气"}, "A",
		"柴油车是机动车颗粒物和氮氧化物排放的主要来源。", []string{tagVehicles}},
	{outreach.TrueFalse, "车辆在路边长时间怠速等待，不会增加尾气排放。", nil, "F",
		"怠速时燃烧不充分，同样排放尾气，停车等待时应熄火。", []string{tagVehicles}},
	{outreach.Single, "国家第六阶段机动车污染物排放标准通常简称为？", []string{"国六", "国五", "欧三", "京五"}, "A",
		"“国六”标准对颗粒物、氮氧化物等排放限值要求更严。", []string{tagVehicles}},
	{outreach.Single, "全国统一的生态环境举报热线是？", []string{"12369", "12345", "12315", "110"}, "A",
		"12369是生态环境部门的环保举报热线，也可以通过“12369环保举报”微信公众号举报。", []string{tagReport}},
	{outreach.Single, "12345是什么热线？", []string{"政务服务便民热线", "环保举报热线", "消费者投诉举报热线", "火警电话"}, "A",
		"12345政务服务便民热线受理各类咨询、求助和投诉，环境问题也可以通过它反映。", []string{tagReport}},
	{outreach.TrueFalse, "群众可以通过“12369环保举报”微信公众号举报环境违法行为。", nil, "T",
		"微信举报可以上传照片和位置，便于核查处理。", []string{tagReport}},
	{outreach.Multiple, "发现有人露天焚烧垃圾，可以通过哪些渠道反映？", []string{"拨打12369", "拨打12345", "告知社区网格员", "不闻不问"}, "ABC",
		"网格员发现后能及时制止，热线也会转交有关部门处理。", []string{tagReport, tagBurning}},
	{outreach.TrueFalse, "接受举报的部门应当对举报人的相关信息予以保密。", nil, "T",
		"《环境保护法》规定，接受举报的机关应当对举报人的相关信息予以保密，保护举报人的合法权益。", []string{tagReport, tagLaw}},
	{outreach.Single, "在人口集中地区露天焚烧垃圾、落叶，违反了哪部法律？", []string{"《大气污染防治法》", "《道路交通安全法》", "《消费者权益保护法》", "《民法典》婚姻家庭编"}, "A",
		"《大气污染防治法》禁止在人口集中地区和其他依法需要特殊保护的区域内焚烧沥青、油毡、橡胶、塑料、皮革、垃圾以及其他产生有毒有害烟尘和恶臭气体的物质。", []string{tagBurning, tagLaw}},
	{outreach.TrueFalse, "秋季清扫的落叶可以就地焚烧处理。", nil, "F",
		"落叶应当收集清运或堆肥，不得露天焚烧。", []string{tagBurning}},
	{outreach.Single, "排放油烟的餐饮服务业经营者应当？", []string{"安装油烟净化设施并保持正常使用", "将油烟排入下水道", "朝居民楼方向排放", "只在夜间排放"}, "A",
		"《大气污染防治法》规定，排放油烟的餐饮服务业经营者应当安装油烟净化设施并保持正常使用，或者采取其他油烟净化措施，使油烟达标排放。", []string{tagFumes, tagLaw}},
	{outreach.TrueFalse, "可以在居民住宅楼内新建产生油烟的餐饮服务项目。", nil, "F",
		"禁止在居民住宅楼、未配套设立专用烟道的商住综合楼以及商住综合楼内与居住层相邻的商业楼层内新建、改建、扩建产生油烟、异味、废气的餐饮服务项目。", []string{tagFumes, tagLaw}},
	{outreach.Single, "在当地人民政府禁止的区域内露天烧烤食品，由谁责令改正？", []string{"县级以上地方人民政府确定的监督管理部门", "学校", "物业公司", "业主委员会"}, "A",
		"由县级以上地方人民政府确定的监督管理部门责令改正，没收烧烤工具和违法所得，并处罚款。", []string{tagFumes, tagLaw}},
	{outreach.Single, "现行《大气污染防治法》（2015年修订）自哪一年1月1日起施行？", []string{"2016年", "2000年", "1988年", "2020年"}, "A",
		"2015年8月修订的《大气污染防治法》自2016年1月1日起施行，2018年又作了修正。", []string{tagLaw}},
	{outreach.Single, "每年的6月5日是？", []string{"世界环境日", "世界地球日", "世界水日", "植树节"}, "A",
		"6月5日是世界环境日，4月22日是世界地球日，3月22日是世界水日，3月12日是植树节。", []string{tagLife}},
	{outreach.TrueFalse, "公民应当增强大气环境保护意识，采取低碳、节俭的生活方式，自觉履行大气环境保护义务。", nil, "T",
		"这是《大气污染防治法》第七条对公民的要求。", []string{tagLaw, tagLife}},
	{outreach.Multiple, "下列哪些属于低碳生活方式？", []string{"做好垃圾分类", "随手关灯", "经常使用一次性餐具", "短途步行或骑自行车"}, "ABD",
		"一次性餐具消耗资源、产生垃圾，不属于低碳生活。", []string{tagLife}},
	{outreach.Single, "大气污染防治“蓝天行动”最主要的目标是？", []string{"提高空气质量优良天数比例", "增加汽车销量", "扩大燃煤使用", "鼓励燃放烟花"}, "A",
		"“蓝天行动”以改善空气质量、提高优良天数比例为核心目标。", []string{tagAlert, tagLife}},
	{outreach.Single, "垃圾分类中，废旧电池属于？", []string{"有害垃圾", "可回收物", "厨余垃圾", "其他垃圾"}, "A",
		"废电池、废灯管、过期药品等属于有害垃圾，应投放到有害垃圾收集容器。", []string{tagLife}},
	{outreach.TrueFalse, "城市绿化可以吸附部分粉尘，有助于改善空气质量。", nil, "T",
		"树木枝叶能阻挡和吸附粉尘，增加绿化面积、减少裸露地面有助于降低扬尘。", []string{tagDust, tagLife}},
}

// parse turns a demo question into a bank question.
func (d demoQuestion) parse() outreach.Question {
	q := outreach.Question{Kind: d.kind, Text: d.text, Options: slices.Clone(d.options), Explanation: d.explanation, Tags: d.tags}
	switch {
	case d.kind == outreach.TrueFalse && d.answer == "T":
		q.Answer = []int{0}
	case d.kind == outreach.TrueFalse:
		q.Answer = []int{1}
	default:
		for _, r := range d.answer {
			q.Answer = append(q.Answer, strings.IndexRune("ABCDEFGH", r))
		}
	}
	q.Normalize()
	return q
}

// demoLectures are the three past lectures: days before now, community
// (index, -1 for the whole street), the named unit for a venue ("" for a place).
var demoLectures = []struct {
	title, speaker, venue, unit string
	daysAgo, community, people  int
	materials                   string
}{
	{"冬季清洁取暖与散煤治理知识讲座", "秦州区生态环境分局 王建国", "砚房背后社区党群服务中心", "", 58, 1, 36,
		"PPT《冬季清洁取暖 守护蓝天》；《清洁取暖告居民书》折页200份"},
	{"蓝天保卫战·青少年环保科普课", "天水师范学院环境科学系 李敏", "", "天水市第三中学（市三中）", 31, 1, 42,
		"科普短片《PM2.5是什么》；环保知识手册100册"},
	{"重污染天气应对与烟花爆竹禁放宣讲", "西关街道办事处 张志强", "西关街道办事处三楼会议室", "", 9, -1, 33,
		"《重污染天气应急预案》解读；《禁止燃放烟花爆竹倡议书》"},
}

// demoQuizzes are the two past quizzes and the one open now.
var demoQuizzes = []struct {
	title, intro  string
	tags          []string
	questions     int
	limit         time.Duration
	prizes        []int
	daysAgo, days int // opens daysAgo days before now, open for days
	entries       int
}{
	{"“蓝天行动”环保知识有奖竞答（第一期）", "答题时间10分钟，答对题多者排名靠前；得分相同的，用时少者靠前。", nil, 15, 10 * time.Minute, []int{1, 2, 3}, 45, 3, 32},
	{"烟花爆竹禁放知识竞答", "春节将至，了解禁放规定，共享蓝天。", []string{tagFireworks, tagLaw, tagAlert}, 10, 5 * time.Minute, []int{1, 3, 5}, 16, 2, 20},
	{"清洁取暖·冬季大气污染防治知识竞答", "扫码即可参加，每个手机号限答一次，答题时间5分钟。", []string{tagHeating, tagAlert, tagDust, tagReport}, 10, 5 * time.Minute, []int{1, 2, 3}, 0, 7, 6},
}

// SeedOutreach adds the outreach of a demo street made by Seed: a question
// bank of 46 questions on air-pollution prevention, three past lectures with
// their sign-ins, two past quizzes with entries (and so winners) and one
// quiz open at now. It does nothing when the bank has questions, and
// returns how many records it made. The same now gives the same records.
func SeedOutreach(ctx context.Context, db *store.DB, loc *time.Location, now time.Time) (int, error) {
	if _, n, err := db.Questions(ctx, store.QuestionFilter{Page: store.Page{Size: 1}}); err != nil || n > 0 {
		return 0, err
	}
	units, _, err := db.Units(ctx, store.UnitFilter{Roots: []string{StreetCode}, Status: unit.Active, Q: "市三中", Page: store.Page{Size: 1}})
	if err != nil {
		return 0, err
	}
	g := &outreachGen{rnd: rand.New(rand.NewPCG(2016, 6)), loc: loc, now: now}
	made := 0
	err = db.Write(ctx, store.Actor{Name: "demo"}, func(tx *store.Tx) error {
		var bank []outreach.Question
		for _, d := range QuestionBank {
			q := d.parse()
			if err := q.Validate(); err != nil {
				return fmt.Errorf("demo question %q: %w", d.text, err)
			}
			if err := tx.InsertQuestion(ctx, &q); err != nil {
				return err
			}
			bank = append(bank, q)
			made++
		}
		for _, d := range demoLectures {
			n, err := g.lecture(ctx, tx, d.title, d.speaker, d.venue, d.unit, d.materials, d.daysAgo, d.community, d.people, units)
			if err != nil {
				return err
			}
			made += n
		}
		for _, d := range demoQuizzes {
			n, err := g.quiz(ctx, tx, bank, d.title, d.intro, d.tags, d.questions, d.limit, d.prizes, d.daysAgo, d.days, d.entries)
			if err != nil {
				return err
			}
			made += n
		}
		return nil
	})
	return made, err
}

type outreachGen struct {
	rnd *rand.Rand
	loc *time.Location
	now time.Time
	seq int // mobiles handed out
}

// code is a deterministic stand-in for a public code (same shape).
func (g *outreachGen) code() string {
	const alpha = "abcdefghijklmnopqrstuvwxyz234567"
	b := make([]byte, 26)
	for i := range b {
		b[i] = alpha[g.rnd.IntN(len(alpha))]
	}
	return string(b)
}

func (g *outreachGen) name() string {
	s := string(surnames[g.rnd.IntN(len(surnames))]) + string(given[g.rnd.IntN(len(given))])
	if g.rnd.IntN(3) > 0 {
		s += string(given[g.rnd.IntN(len(given))])
	}
	return s
}

// resident returns a community for a resident: mostly home, sometimes a neighbour.
func (g *outreachGen) resident(home int) string {
	if home < 0 || g.rnd.IntN(4) == 0 {
		return CommunityCode(g.rnd.IntN(len(Communities)))
	}
	return CommunityCode(home)
}

func (g *outreachGen) mobile() string {
	g.seq++
	return mobile(3000 + g.seq)
}

// day returns the local day daysAgo before now at hh:mm.
func (g *outreachGen) day(daysAgo, hh, mm int) time.Time {
	d := g.now.In(g.loc).AddDate(0, 0, -daysAgo)
	return time.Date(d.Year(), d.Month(), d.Day(), hh, mm, 0, 0, g.loc)
}

func (g *outreachGen) lecture(ctx context.Context, tx *store.Tx, title, speaker, venue, unitName, materials string, daysAgo, community, people int, units []unit.Unit) (int, error) {
	start := g.day(daysAgo, 9, 30)
	l := outreach.Lecture{Code: g.code(), Title: title, Speaker: speaker, VenueName: venue, StartsAt: start, EndsAt: start.Add(90 * time.Minute),
		Expected: people + 10, Materials: materials}
	if community >= 0 {
		l.Regions = []string{CommunityCode(community)}
	} else {
		l.Regions = []string{StreetCode}
	}
	if unitName != "" && len(units) > 0 {
		l.VenueUnitID, l.VenueName = units[0].ID, units[0].Name
		l.UnitIDs = []int64{units[0].ID}
	}
	l.Normalize()
	l.Region = outreach.Home(l.Regions)
	if err := l.Validate(); err != nil {
		return 0, fmt.Errorf("demo lecture %s: %w", title, err)
	}
	if err := tx.InsertLecture(ctx, &l); err != nil {
		return 0, err
	}
	n := 1
	at := l.OpensAt.Add(5 * time.Minute)
	for range people {
		at = at.Add(time.Duration(20+g.rnd.IntN(60)) * time.Second)
		s := outreach.SignIn{LectureID: l.ID, Name: g.name(), Region: g.resident(community), At: at}
		if g.rnd.IntN(3) > 0 {
			s.Mobile = g.mobile()
		}
		if err := tx.InsertSignIn(ctx, &s); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (g *outreachGen) quiz(ctx context.Context, tx *store.Tx, bank []outreach.Question, title, intro string, tags []string, size int,
	limit time.Duration, prizes []int, daysAgo, days, entries int) (int, error) {
	var pool []outreach.Question
	for _, q := range bank {
		if len(tags) == 0 || slices.ContainsFunc(q.Tags, func(t string) bool { return slices.Contains(tags, t) }) {
			pool = append(pool, q)
		}
	}
	g.rnd.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	opens := g.day(daysAgo, 9, 0)
	if daysAgo == 0 {
		opens = g.now.Add(-2 * time.Hour).Truncate(time.Minute)
	}
	z := outreach.Quiz{Code: g.code(), Title: title, Intro: intro, Region: StreetCode, Regions: []string{StreetCode}, TimeLimit: limit,
		OpensAt: opens, ClosesAt: opens.AddDate(0, 0, days), Prizes: prizes}
	for _, q := range pool[:min(size, len(pool))] {
		z.Questions = append(z.Questions, outreach.QuizQuestion{Question: q})
	}
	if err := z.Validate(); err != nil {
		return 0, fmt.Errorf("demo quiz %s: %w", title, err)
	}
	if err := tx.InsertQuiz(ctx, &z); err != nil {
		return 0, err
	}
	n := 1
	span := g.now.Sub(opens)
	if z.ClosesAt.Before(g.now) {
		span = z.ClosesAt.Sub(opens)
	}
	for i := range entries {
		start := opens.Add(time.Duration(float64(span) * float64(i+1) / float64(entries+2))).Truncate(time.Millisecond)
		e := outreach.Entry{QuizID: z.ID, Name: g.name(), Region: g.resident(-1), Mobile: g.mobile(), Layout: outreach.NewLayout(z.Questions, g.rnd.IntN),
			StartedAt: start, Deadline: start.Add(limit), Max: z.Max()}
		if err := tx.InsertEntry(ctx, &e, fmt.Sprintf("demo-entry-%d-%d", z.ID, i)); err != nil {
			return n, err
		}
		n++
		// Most answer most questions right; a resident who knows the subject answers faster.
		skill := 0.55 + 0.4*g.rnd.Float64()
		e.Answers = map[int64][]int{}
		for _, q := range z.Questions {
			if g.rnd.Float64() < skill {
				e.Answers[q.ID] = q.Answer
				continue
			}
			wrong := (q.Answer[0] + 1 + g.rnd.IntN(q.OptionCount()-1)) % q.OptionCount()
			e.Answers[q.ID] = []int{wrong}
		}
		_, e.Score = outreach.Results(z, e.Layout, e.Answers)
		e.Taken = time.Duration(float64(limit) * (0.3 + 0.6*(1-skill) + 0.1*g.rnd.Float64())).Truncate(time.Millisecond)
		e.SubmittedAt = start.Add(e.Taken)
		if e.SubmittedAt.After(g.now) {
			continue // still answering
		}
		if err := tx.SubmitEntry(ctx, &e); err != nil {
			return n, err
		}
	}
	return n, nil
}
