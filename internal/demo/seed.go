package demo

import (
	"context"
	"fmt"

	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/unit"
)

var (
	surnames = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭")
	given    = []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华建国兰红玉梅海燕志文斌鹏辉丹萍宇浩凯峰晨琳雪婷瑞欣")
)

func (b *builder) name() string {
	s := string(surnames[b.rnd.IntN(len(surnames))]) + string(given[b.rnd.IntN(len(given))])
	if b.rnd.IntN(3) > 0 {
		s += string(given[b.rnd.IntN(len(given))])
	}
	return s
}

// mobile returns a unique, plausible mobile number for sequence n.
func mobile(n int) string {
	prefixes := []string{"138", "139", "135", "137", "150", "151", "186", "187", "189", "177"}
	return fmt.Sprintf("%s%04d%04d", prefixes[n%len(prefixes)], 9380+n%7, 1000+n*37%9000)
}

// creditCode makes a valid unified social credit code: dept + kind + 620502 + a 9-character org code.
func (b *builder) creditCode(dept string) string {
	const alpha = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	body := dept + "620502"
	for i := 0; i < 9; i++ {
		body += string(alpha[b.rnd.IntN(len(alpha))])
	}
	return unit.CompleteCreditCode(body)
}

type unitSpec struct {
	name string
	kind unit.Kind
	tags []string
	c, r int // grid
	addr string
}

// namedUnits are the units the seed names, placed in plausible grids.
var namedUnits = []unitSpec{
	{"天水市第三中学（市三中）", "school", []string{"fireworks"}, 1, 2, "西关砚房背后"},
	{"天水市伏羲中学", "school", []string{"fireworks"}, 4, 1, "伏羲路"},
	{"华天集团", "enterprise", []string{"boiler", "vehicles"}, 5, 3, "双桥路"},
	{"天水天缆电缆有限公司（天缆公司）", "enterprise", []string{"coal", "boiler"}, 3, 0, "岷山路"},
	{"永红家园", "property", []string{"burning", "fireworks"}, 2, 3, "澄源巷"},
	{"庆华庭居", "property", []string{"burning", "fireworks"}, 0, 4, "忠武巷"},
	{"伏羲广场", "institution", []string{"fireworks", "waste"}, 4, 2, "伏羲路"},
}

var (
	restaurantNames  = []string{"老马牛肉面", "天水呱呱", "麻辣烫小馆", "西关烧烤城", "杏仁茶坊", "浆水面馆", "羊肉泡馍馆", "家常菜馆", "老街火锅", "川味小炒", "饺子馆", "凉皮店"}
	siteNames        = []string{"西关旧城改造二期工地", "澄源巷管网改造工地", "双桥路拓宽工地", "官泉小区新建住宅工地", "自由路商业综合体工地", "忠武巷道路硬化工地"}
	propertyNames    = []string{"天水金秋物业", "陇原物业", "秦州安居物业", "麦积山物业", "伏羲城物业", "西关物业服务站"}
	courtyardNames   = []string{"忠武巷12号院", "砚房背后8号院", "澄源巷3号院", "双桥南路家属院", "自由路机关家属院", "官泉巷老院", "育生巷大院", "西关十字家属院", "丰盛巷院落", "大同巷院落", "尚义巷院落", "仓门巷院落"}
	shopNames        = []string{"西关五金店", "好又多超市", "老城建材店", "陇上汽修", "兴隆洗车行", "明亮眼镜店", "新华书店西关店", "万家乐家电"}
	enterpriseNames  = []string{"天水长城开关厂西关车间", "秦州印刷厂", "陇原食品加工厂", "天水热力公司西关换热站", "秦州区公交车场", "天水市政工程公司"}
	institutionNames = []string{"西关街道社区卫生服务中心", "秦州区第二幼儿园", "天水市第一人民医院西关分院", "西关派出所", "秦州区文化馆"}
)

func (b *builder) seed(ctx context.Context, tx *store.Tx, hash string) error {
	// Regions.
	save := func(r region.Region) error {
		if err := r.Validate(); err != nil {
			return fmt.Errorf("demo region %s: %w", r.Code, err)
		}
		return tx.InsertRegion(ctx, r)
	}
	if err := save(region.Region{Code: DistrictCode, Name: "秦州区", Level: region.District}); err != nil {
		return err
	}
	total := 0
	households := make([][]int, cols)
	for c := range cols {
		households[c] = make([]int, rows)
		for r := range rows {
			households[c][r] = 300 + b.rnd.IntN(600)
			total += households[c][r]
		}
	}
	if err := save(region.Region{Code: StreetCode, Name: "西关街道", Level: region.Street, Parent: DistrictCode, Households: total, Geometry: b.column(0, cols)}); err != nil {
		return err
	}
	for c := range cols {
		sum := 0
		for _, h := range households[c] {
			sum += h
		}
		if err := save(region.Region{Code: CommunityCode(c), Name: Communities[c], Level: region.Community, Parent: StreetCode, Households: sum, Geometry: b.column(c, c+1)}); err != nil {
			return err
		}
		for r := range rows {
			if err := save(region.Region{Code: GridCode(c, r), Name: fmt.Sprintf("%s第%d网格", Communities[c], r+1), Level: region.Grid,
				Parent: CommunityCode(c), Households: households[c][r], Geometry: b.cell(c, r)}); err != nil {
				return err
			}
		}
	}

	// Units.
	specs := append([]unitSpec(nil), namedUnits...)
	add := func(names []string, kind unit.Kind, tags ...string) {
		for _, n := range names {
			c, r := b.rnd.IntN(cols), b.rnd.IntN(rows)
			specs = append(specs, unitSpec{n, kind, tags, c, r, ""})
		}
	}
	add(restaurantNames, "restaurant", "fumes")
	add(siteNames, "site", "dust", "vehicles")
	add(propertyNames, "property", "waste")
	add(courtyardNames, "courtyard", "burning", "coal")
	add(shopNames, "shop")
	add(enterpriseNames, "enterprise", "boiler")
	add(institutionNames, "institution")
	streets := []string{"忠武巷", "砚房背后", "澄源巷", "双桥路", "自由路", "官泉路", "民主西路", "解放路", "西关十字"}
	var units []unit.Unit
	seq := 0
	for _, s := range specs {
		lat, lon := b.spot(s.c, s.r)
		addr := s.addr
		if addr == "" {
			addr = streets[b.rnd.IntN(len(streets))]
		}
		addr = fmt.Sprintf("天水市秦州区%s%d号", addr, 1+b.rnd.IntN(120))
		u := unit.Unit{Name: s.name, Kind: s.kind, Address: addr, Lat: lat, Lon: lon, Region: GridCode(s.c, s.r), Tags: s.tags}
		switch s.kind {
		case "courtyard":
			// Residential courtyards usually have no credit code.
		case "school", "institution":
			u.CreditCode = b.creditCode("12")
		default:
			u.CreditCode = b.creditCode("91")
		}
		seq++
		u.Contacts = []unit.Contact{{Name: b.name(), Phone: mobile(500 + seq)}}
		if err := tx.CreateUnit(ctx, &u); err != nil {
			return fmt.Errorf("demo unit %s: %w", s.name, err)
		}
		units = append(units, u)
	}

	// People.
	n := 0
	person := func(username, name string, roles ...people.Assignment) error {
		n++
		p := people.Person{Username: username, Name: name, Mobile: mobile(n), Active: true, Roles: roles}
		if roles[0].Role == people.UnitContact {
			// A unit contact signs in with the phone the unit lists for them.
			p.Mobile = units[roles[0].UnitID-units[0].ID].Contacts[0].Phone
		}
		if err := tx.CreatePerson(ctx, &p, hash); err != nil {
			return fmt.Errorf("demo person %s: %w", username, err)
		}
		return nil
	}
	if err := person("admin", "街道管理员", people.Assignment{Role: people.Admin, Region: DistrictCode}); err != nil {
		return err
	}
	if err := person("street", b.name(), people.Assignment{Role: people.Leader, Region: StreetCode}); err != nil {
		return err
	}
	if err := person("inspector", b.name(), people.Assignment{Role: people.Inspector, Region: StreetCode}); err != nil {
		return err
	}
	for i := 2; i <= 4; i++ {
		if err := person(fmt.Sprintf("inspector%d", i), b.name(), people.Assignment{Role: people.Inspector, Region: StreetCode}); err != nil {
			return err
		}
	}
	patrol, vol := 0, 0
	for c := range cols {
		if err := person(fmt.Sprintf("community%d", c+1), b.name(), people.Assignment{Role: people.Leader, Region: CommunityCode(c)}); err != nil {
			return err
		}
		for r := range rows {
			g := GridCode(c, r)
			if err := person(fmt.Sprintf("grid%02d", c*rows+r+1), b.name(), people.Assignment{Role: people.Leader, Region: g}); err != nil {
				return err
			}
			for range 2 {
				patrol++
				if err := person(fmt.Sprintf("patrol%02d", patrol), b.name(), people.Assignment{Role: people.Patroller, Region: g}); err != nil {
					return err
				}
			}
		}
		for range 7 {
			vol++
			if err := person(fmt.Sprintf("volunteer%02d", vol), b.name(), people.Assignment{Role: people.Volunteer, Region: CommunityCode(c)}); err != nil {
				return err
			}
		}
	}
	for i, u := range units {
		if err := person(fmt.Sprintf("unit%02d", i+1), u.Contacts[0].Name, people.Assignment{Role: people.UnitContact, UnitID: u.ID}); err != nil {
			return err
		}
	}
	return tx.SetSetting(ctx, "demo", "1")
}
