package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/lantian-org/lantian/internal/messages"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/store"
)

// demoNotice is a notice of the demo work group: who sent it to whom, how
// long ago, and which recipients (by username) read and acknowledged it.
type demoNotice struct {
	sender   string
	title    string
	body     string
	people   []string      // named recipients, or
	roles    []people.Role // roles within regions
	regions  []string
	receipt  bool
	due      int // days after sending, for receipts
	ago      time.Duration
	read     []string
	acked    []string
	reminded bool
}

var demoNotices = []demoNotice{
	{sender: "street", title: "关于严禁燃放烟花爆竹的通知", ago: 9 * 24 * time.Hour,
		body:  "各社区、各网格：\n\n根据区大气污染防治工作要求，辖区内全年禁止燃放烟花爆竹。请各网格加强巡查，发现燃放行为及时劝阻并上报。\n\n- 重点关注居民院落和广场\n- 发现销售点立即上报",
		roles: []people.Role{people.Leader, people.Patroller}, regions: []string{StreetCode}},
	{sender: "street", title: "关于开展本月月末综合整治的通知", ago: 2*24*time.Hour + 3*time.Hour, receipt: true, due: 5,
		body:   "各社区：\n\n本月最后一个星期五开展月末综合整治，请组织辖区单位和居民：\n\n1. 清除小广告（牛皮癣）\n2. 清理卫生死角和背街小巷垃圾\n3. 整治结果拍照上报工作动态\n\n请收到后确认回执。",
		people: []string{"community1", "community2", "community3", "community4", "community5", "community6"},
		read:   []string{"community1", "community2", "community3", "community5", "community6"}, acked: []string{"community1", "community2", "community5", "community6"}},
	{sender: "community1", title: "本周网格巡查安排", ago: 26 * time.Hour, receipt: true, due: 2,
		body:  "各位网格员：\n\n本周每日上午、下午各巡查一次，重点检查工地围挡和餐饮油烟。巡查记录当日同步。",
		roles: []people.Role{people.Patroller}, regions: []string{CommunityCode(0)},
		read: []string{"patrol01", "patrol02", "patrol03", "patrol04", "patrol05", "patrol06"}, acked: []string{"patrol01", "patrol02", "patrol03", "patrol05"}, reminded: true},
}

// demoPost is a post of the demo feed with its comments.
type demoPost struct {
	author   string
	region   string
	body     string
	ago      time.Duration
	comments [][2]string // author, text
}

var demoPosts = []demoPost{
	{"patrol01", GridCode(0, 0), "忠武巷12号院门口的暴露垃圾已清运完毕，已与物业约定每日定时清扫。", 30 * time.Hour,
		[][2]string{{"community1", "处理及时，辛苦了！"}, {"grid01", "下周回头看一次。"}}},
	{"community2", CommunityCode(1), "砚房背后社区组织志愿者清理小广告 120 余处，居民积极参与。", 20 * time.Hour,
		[][2]string{{"street", "值得各社区学习。"}}},
	{"street", StreetCode, "本周五（月末）全街道开展综合整治，请各社区提前做好人员安排，整治前后照片发到工作动态。", 8 * time.Hour, nil},
	{"community3", CommunityCode(2), "澄源巷管网改造工地围挡缺失一段，已现场督促施工单位当天补齐。", 5 * time.Hour,
		[][2]string{{"community3", "请明天再复查一次。"}}},
	{"inspector", CommunityCode(4), "自由路社区督查：餐饮油烟净化设施清洗记录齐全，巡查台账规范。", 3 * time.Hour, nil},
}

// SeedMessages gives the demo street's work group some history: notices
// from the street and a community with their receipts (some outstanding),
// posts with comments on the feed, and an example channel left disabled (a
// visitor can point it at their own group robot). It does nothing when
// notices exist, and returns how many notices it made.
func SeedMessages(ctx context.Context, db *store.DB, now time.Time) (int, error) {
	ids := map[string]int64{}
	names := map[string]string{}
	person := func(u string) (int64, error) {
		if id, ok := ids[u]; ok {
			return id, nil
		}
		p, _, err := db.Credentials(ctx, u)
		if err != nil {
			return 0, fmt.Errorf("demo person %s: %w", u, err)
		}
		ids[u], names[u] = p.ID, p.Name
		return p.ID, nil
	}
	sender, err := person("street")
	if err != nil {
		return 0, err
	}
	if _, n, err := db.SentNotices(ctx, store.SentFilter{Sender: sender, All: true}); err != nil || n > 0 {
		return 0, err
	}
	actor := store.Actor{Name: "demo"}
	made := 0
	for _, dn := range demoNotices {
		from, err := person(dn.sender)
		if err != nil {
			return made, err
		}
		at := now.Add(-dn.ago)
		n := messages.Notice{Title: dn.title, Body: dn.body, Receipt: dn.receipt, SenderID: from, SenderName: names[dn.sender]}
		if dn.receipt {
			n.Due = at.AddDate(0, 0, dn.due).Format("2006-01-02")
		}
		var recipients []int64
		for _, u := range dn.people {
			id, err := person(u)
			if err != nil {
				return made, err
			}
			n.Audience.People = append(n.Audience.People, id)
			recipients = append(recipients, id)
		}
		n.Audience.Roles, n.Audience.Regions = dn.roles, dn.regions
		n.Region = messages.NoticeRegion(n.Audience, StreetCode)
		if dn.sender != "street" && len(dn.regions) == 0 {
			n.Region = CommunityCode(0)
		}
		err = db.Write(ctx, actor, func(tx *store.Tx) error {
			tx.Backdate(at)
			if len(recipients) == 0 {
				var err error
				if recipients, err = tx.AudiencePeople(ctx, dn.roles, dn.regions); err != nil {
					return err
				}
			}
			if err := tx.CreateNotice(ctx, &n, recipients); err != nil {
				return err
			}
			_, err := tx.Notify(ctx, notify.Event{Kind: notify.NoticePublished, Record: notify.Record{Kind: "notice", ID: n.ID, Ref: n.Title, Region: n.Region},
				Subject: notify.Subject{People: recipients, Region: n.Region}, Args: map[string]any{"notice": n.ID, "title": n.Title, "sender": n.SenderName}})
			return err
		})
		if err != nil {
			return made, err
		}
		made++
		for i, u := range dn.read {
			id, err := person(u)
			if err != nil {
				return made, err
			}
			acked := false
			for _, a := range dn.acked {
				acked = acked || a == u
			}
			err = db.Write(ctx, actor, func(tx *store.Tx) error {
				tx.Backdate(at.Add(time.Duration(20+37*i) * time.Minute))
				if acked {
					_, err := tx.AckNotice(ctx, n.ID, id)
					if err != nil {
						return err
					}
				} else if _, err := tx.MarkNoticeRead(ctx, n.ID, id); err != nil {
					return err
				}
				return tx.ReadNoticeInbox(ctx, n.ID, id)
			})
			if err != nil {
				return made, err
			}
		}
		if dn.reminded {
			err = db.Write(ctx, actor, func(tx *store.Tx) error {
				tx.Backdate(at.Add(6 * time.Hour))
				_, err := tx.SetReminded(ctx, n.ID, at)
				return err
			})
			if err != nil {
				return made, err
			}
		}
	}
	for _, dp := range demoPosts {
		author, err := person(dp.author)
		if err != nil {
			return made, err
		}
		p := messages.Post{Region: dp.region, AuthorID: author, AuthorName: names[dp.author], Body: dp.body}
		err = db.Write(ctx, actor, func(tx *store.Tx) error {
			tx.Backdate(now.Add(-dp.ago))
			if err := tx.CreatePost(ctx, &p); err != nil {
				return err
			}
			for i, c := range dp.comments {
				who, err := person(c[0])
				if err != nil {
					return err
				}
				tx.Backdate(now.Add(-dp.ago + time.Duration(15*(i+1))*time.Minute))
				if err := tx.AddComment(ctx, &messages.Comment{PostID: p.ID, AuthorID: who, AuthorName: names[c[0]], Body: c[1]}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return made, err
		}
	}
	// An example robot, disabled: enabled with a real key it would post the street's notices and digest.
	err = db.Write(ctx, actor, func(tx *store.Tx) error {
		c := messages.Channel{Kind: messages.WeCom, Name: "示例：西关街道企业微信工作群", URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=请替换为群机器人的key",
			Region: StreetCode, Events: []messages.Event{messages.NoticeOut, messages.Digest, messages.CaseEscalated}}
		return tx.CreateChannel(ctx, &c)
	})
	return made, err
}
