package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/outreach"
	"github.com/lantian-org/lantian/internal/store/storetest"
	"github.com/lantian-org/lantian/internal/testutil"
)

// uploadFile posts one file as multipart field to path as user.
func uploadFile(c *testutil.API, user, path, field, name string, data []byte) (int, string) {
	return c.Post(user, path, nil, testutil.File{Field: field, Name: name, Content: data})
}

func xlsxOf(t *testing.T, rows [][]any) []byte {
	t.Helper()
	x := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	x.Write(&buf)
	return buf.Bytes()
}

// TestOutreachContract checks issue 12's API contract on both databases:
// routes, fields and statuses, the public door, and what the public never sees.
func TestOutreachContract(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			srv := testutil.Start(t, backend)
			c := srv.API(t)
			now := time.Now()
			clock := now
			srv.App.Outreach.Now = func() time.Time { return clock }
			rfc := func(t time.Time) string { return t.Format(time.RFC3339) }
			var got map[string]any
			call := func(user, method, path, body string, status int, want ...string) map[string]any {
				t.Helper()
				st, b := c.Do(user, method, path, body)
				if st != status {
					t.Fatalf("%s %s as %q: %d, want %d\n%s", method, path, user, st, status, trunc(b))
				}
				for _, w := range want {
					if !strings.Contains(b, w) {
						t.Fatalf("%s %s: answer lacks %q:\n%s", method, path, w, trunc(b))
					}
				}
				out := map[string]any{}
				json.Unmarshal([]byte(b), &out)
				return out
			}
			c1 := demo.CommunityCode(0)
			// Lectures.
			got = call("community1", "POST", "/api/v1/lectures", fmt.Sprintf(`{"title":"冬季清洁取暖讲座","speaker":"王建国","venue":{"name":"社区活动室"},"starts_at":%q,"ends_at":%q,"regions":[%q]}`,
				rfc(now.Add(10*time.Minute)), rfc(now.Add(100*time.Minute)), c1), 201, `"code":"`, `"state":"open"`)
			id, code := int(got["id"].(float64)), got["code"].(string)
			if len(code) < 16 {
				t.Fatalf("code %q is short", code)
			}
			later := call("community1", "POST", "/api/v1/lectures", fmt.Sprintf(`{"title":"明日讲座","venue":{"name":"社区活动室"},"starts_at":%q,"ends_at":%q,"regions":[%q]}`,
				rfc(now.Add(26*time.Hour)), rfc(now.Add(27*time.Hour)), c1), 201)
			laterCode := later["code"].(string)
			call("community1", "POST", "/api/v1/lectures", `{"title":"","venue":{},"starts_at":"x","regions":["620502004009000"]}`, 422, `"starts_at"`)
			call("community1", "POST", "/api/v1/lectures", `{"title":"","venue":{},"regions":["620502004009000"]}`, 422, `"title"`, `"venue"`, `"starts_at"`, `"regions"`)
			call("community2", "POST", "/api/v1/lectures", fmt.Sprintf(`{"title":"越界","venue":{"name":"x"},"starts_at":%q,"ends_at":%q,"regions":[%q]}`,
				rfc(now), rfc(now.Add(time.Hour)), c1), 422, `"regions"`)
			call("patrol01", "POST", "/api/v1/lectures", `{}`, 403)
			call("patrol01", "GET", "/api/v1/lectures", "", 403)
			call("community2", "GET", fmt.Sprintf("/api/v1/lectures/%d", id), "", 404)
			call("inspector", "GET", fmt.Sprintf("/api/v1/lectures/%d", id), "", 200, `"attendance":0`)
			// Public sign-in.
			pub := func(path, body string, status int, want ...string) map[string]any {
				return call("", "POST", path, body, status, want...)
			}
			signin := "/api/v1/public/lectures/" + code + "/signins"
			pub(signin, fmt.Sprintf(`{"name":"张三明","region":%q,"mobile":"13800001111"}`, demo.CommunityCode(1)), 201, `"signed_at"`)
			pub(signin, fmt.Sprintf(`{"name":"张三","region":%q,"mobile":"13800001111"}`, c1), 409, `"mobile"`)
			pub(signin, `{"name":"李四","region":"620502005001000","mobile":"1380000"}`, 422, `"region"`, `"mobile"`, "手机号")
			pub(signin, `{"name":"","region":""}`, 422, `"name"`)
			pub(signin, `{"name":"`+strings.Repeat("长", 6000)+`"}`, 413)
			pub("/api/v1/public/lectures/"+laterCode+"/signins", fmt.Sprintf(`{"name":"王五","region":%q}`, c1), 422, "签到时间为", now.Add(26*time.Hour-30*time.Minute).In(srv.App.Loc).Format("2006-01-02 15:04"))
			pub("/api/v1/public/lectures/abcdefghijklmnopqrstuvwxyz/signins", fmt.Sprintf(`{"name":"王五","region":%q}`, c1), 404)
			pub("/api/v1/public/lectures/1/signins", `{}`, 400)
			// Attendance: mobiles whole for the organiser, masked for the inspector.
			call("community1", "GET", fmt.Sprintf("/api/v1/lectures/%d/attendance", id), "", 200, `"total":1`, `"13800001111"`, `"by_region":{"`+demo.CommunityCode(1)+`":1}`)
			st, b := c.Do("inspector", "GET", fmt.Sprintf("/api/v1/lectures/%d/attendance", id), "")
			if st != 200 || strings.Contains(b, "13800001111") || !strings.Contains(b, "138****1111") {
				t.Fatalf("inspector's attendance %d %s", st, b)
			}
			call("inspector", "POST", fmt.Sprintf("/api/v1/lectures/%d/cancel", id), "", 403)
			call("community1", "PATCH", fmt.Sprintf("/api/v1/lectures/%d", id), `{"expected":60}`, 200, `"expected":60`)

			// The question bank.
			call("street", "POST", "/api/v1/questions", `{"kind":"single","text":"12369是？","options":["环保举报热线","天气预报"],"answer":[0,1]}`, 422, `"answer"`)
			call("street", "POST", "/api/v1/questions", `{"kind":"multiple","text":"无答案","options":["a","b"],"answer":[]}`, 422, `"answer"`)
			call("street", "POST", "/api/v1/questions", `{"kind":"single","text":"越界","options":["a","b"],"answer":[5]}`, 422, `"answer"`)
			call("community1", "POST", "/api/v1/questions", `{"kind":"truefalse","text":"x","answer":[0]}`, 403)
			q1 := call("street", "POST", "/api/v1/questions", `{"kind":"single","text":"全国环保举报热线是？","options":["12369","12345","12315"],"answer":[0],"explanation":"12369是环保举报热线","tags":["举报渠道"]}`, 201)
			q2 := call("street", "POST", "/api/v1/questions", `{"kind":"multiple","text":"清洁取暖方式有？","options":["热泵","燃气","散煤"],"answer":[0,1],"explanation":"散煤不是","tags":["清洁取暖"]}`, 201)
			q3 := call("street", "POST", "/api/v1/questions", `{"kind":"truefalse","text":"落叶可以就地焚烧。","answer":[1],"explanation":"不可以","tags":["露天焚烧"]}`, 201)
			head := []any{"题型", "题目", "选项A", "选项B", "答案", "解析", "标签"}
			st, b = uploadFile(c, "street", "/api/v1/questions/import", "file", "q.xlsx", xlsxOf(t, [][]any{head, {"判断", "PM2.5可入肺。", "", "", "正确", "", "重污染天气"}}))
			if st != 200 || !strings.Contains(b, `"created":1`) {
				t.Fatalf("import: %d %s", st, b)
			}
			st, b = uploadFile(c, "street", "/api/v1/questions/import", "file", "q.xlsx", xlsxOf(t, [][]any{head, {"判断", "好题", "", "", "正确", "", ""}, {"单选", "坏题", "甲", "乙", "C", "", ""}}))
			if st != 422 || !strings.Contains(b, `"row 3":"第 3 行`) || strings.Contains(b, `"row 2"`) {
				t.Fatalf("bad import: %d %s", st, b)
			}
			call("street", "GET", "/api/v1/questions?q=好题", "", 200, `"total":0`)
			// Quizzes.
			call("street", "POST", "/api/v1/quizzes", fmt.Sprintf(`{"title":"空竞赛","questions":[],"time_limit_s":300,"opens_at":%q,"closes_at":%q}`, rfc(now), rfc(now.Add(time.Hour))), 422, `"questions"`)
			qz := call("street", "POST", "/api/v1/quizzes", fmt.Sprintf(`{"title":"环保知识竞答","questions":[%v,%v,%v],"time_limit_s":300,"opens_at":%q,"closes_at":%q,"prizes":[1,1]}`,
				q1["id"], q2["id"], q3["id"], rfc(now.Add(-time.Minute)), rfc(now.Add(time.Hour))), 201, `"code":"`)
			call("street", "POST", "/api/v1/quizzes", fmt.Sprintf(`{"title":"抽题竞答","draw":{"tags":["举报渠道","清洁取暖"],"count":2},"time_limit_s":300,"opens_at":%q,"closes_at":%q}`,
				rfc(now), rfc(now.Add(time.Hour))), 201, `"questions":[{`)
			qid, qcode := int(qz["id"].(float64)), qz["code"].(string)
			entries := "/api/v1/public/quizzes/" + qcode + "/entries"
			start := func(name, mobile string) map[string]any {
				t.Helper()
				st, b := c.Do("", "POST", entries, fmt.Sprintf(`{"name":%q,"region":%q,"mobile":%q}`, name, demo.CommunityCode(2), mobile))
				if st != 201 {
					t.Fatalf("entry for %s: %d %s", name, st, b)
				}
				// No field of a question reveals the answer.
				for _, leak := range []string{`"answer"`, "explanation", "12369是环保举报热线", "散煤不是", "不可以"} {
					if strings.Contains(b, leak) {
						t.Fatalf("the entry carries %q before submission: %s", leak, b)
					}
				}
				out := map[string]any{}
				json.Unmarshal([]byte(b), &out)
				return out
			}
			ea := start("张三明", "13900001111")
			pub(entries, fmt.Sprintf(`{"name":"张三","region":%q,"mobile":"13900001111"}`, demo.CommunityCode(2)), 409, `"mobile"`)
			pub(entries, fmt.Sprintf(`{"name":"无号","region":%q}`, demo.CommunityCode(2)), 422, `"mobile"`)
			eb := start("李四", "13900002222")
			// Right answers as shown to entry e.
			answers := func(e map[string]any) string {
				parts := []string{}
				for _, q := range e["questions"].([]any) {
					qq := q.(map[string]any)
					opts := qq["options"].([]any)
					var idx []string
					for i, o := range opts {
						s := o.(string)
						if s == "12369" || s == "热泵" || s == "燃气" || s == "错误" {
							idx = append(idx, fmt.Sprint(i))
						}
					}
					parts = append(parts, fmt.Sprintf(`"%v":[%s]`, qq["id"], strings.Join(idx, ",")))
				}
				return `{"answers":{` + strings.Join(parts, ",") + `}}`
			}
			answersPath := func(e map[string]any) string { return entries + "/" + e["entry"].(string) + "/answers" }
			pub(answersPath(ea), `{"answers":{"`+fmt.Sprint(q1["id"])+`":[7]}}`, 422, `"answers"`)
			clock = now.Add(time.Minute)
			res := pub(answersPath(eb), answers(eb), 200, `"score":3`, `"max":3`, `"rank":1`, `"explanation":"12369是环保举报热线"`)
			if len(res["results"].([]any)) != 3 {
				t.Fatalf("results %v", res)
			}
			pub(answersPath(eb), answers(eb), 409)
			call("", "GET", entries+"/"+eb["entry"].(string), "", 200, `"submitted":true`, `"score":3`)
			call("", "GET", entries+"/"+ea["entry"].(string), "", 200, `"submitted":false`, `"questions":[`)
			clock = now.Add(5*time.Minute + outreach.Grace + 2*time.Second)
			pub(answersPath(ea), answers(ea), 422, "答题时间已到")
			call("", "GET", entries+"/"+strings.Repeat("a", 32), "", 404)
			// The leaderboard: names shortened, no mobiles.
			st, b = c.Do("inspector", "GET", fmt.Sprintf("/api/v1/quizzes/%d/leaderboard", qid), "")
			if st != 200 || !strings.Contains(b, `"name":"李*"`) || strings.Contains(b, "1390000") || strings.Contains(b, "李四") || !strings.Contains(b, `"rank":1`) {
				t.Fatalf("leaderboard %d %s", st, b)
			}
			call("street", "GET", fmt.Sprintf("/api/v1/quizzes/%d/winners", qid), "", 200, `"mobile":"13900002222"`, `"prize":1`)
			call("inspector", "GET", fmt.Sprintf("/api/v1/quizzes/%d/winners", qid), "", 200, `"mobile":"139****2222"`)
			call("inspector", "GET", fmt.Sprintf("/api/v1/quizzes/%d/winners.xlsx", qid), "", 403)
			st, b = c.Do("street", "GET", fmt.Sprintf("/api/v1/quizzes/%d/winners.xlsx", qid), "")
			if st != 200 || !strings.HasPrefix(b, "PK") {
				t.Fatalf("winners.xlsx %d", st)
			}
			call("street", "GET", fmt.Sprintf("/api/v1/quizzes/%d", qid), "", 200, `"answer":[0]`)
			call("community1", "GET", fmt.Sprintf("/api/v1/quizzes/%d", qid), "", 404)
			// Counts for the assessment.
			call("street", "GET", "/api/v1/outreach/counts?from="+now.AddDate(0, 0, -1).Format("2006-01-02")+"&to="+now.AddDate(0, 0, 1).Format("2006-01-02"), "", 200,
				`"quizzes":2`, `"entries":2`, `"by_community":[`)
			call("community1", "GET", "/api/v1/outreach/counts?region="+demo.CommunityCode(3), "", 404)
			call("street", "GET", "/api/v1/outreach/counts?from=x", "", 422, `"from"`)
		})
	}
}
