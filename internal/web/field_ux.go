package web

// The field app's texts added by issue 16 (catalog ux.json).
func init() {
	fieldKeys = append(fieldKeys,
		"ux.field.refused", "ux.field.edit", "ux.field.why_location", "ux.field.why_changed", "ux.field.why_gone",
		"ux.field.why_forbidden", "ux.field.why_large", "ux.field.why_fix", "ux.field.case_sent", "ux.field.sent_title",
		"ux.field.tasks", "ux.field.task_handle", "ux.field.task_verify", "ux.field.do_handle", "ux.field.do_verify",
		"ux.field.action_sent", "ux.field.due", "ux.field.queued", "ux.field.passed", "ux.field.passed_yes", "ux.field.passed_no",
		"ux.field.photo_after", "ux.field.photo_before", "ux.field.elapsed", "ux.field.distance", "ux.field.where",
		"ux.field.where_gps", "ux.field.where_manual", "ux.field.where_none", "ux.field.where_needed", "ux.field.pick_site",
		"ux.field.no_map", "ux.field.due_past")
}
