// Message keys this package returns, with their zh-CN and English texts for
// the catalogs (arguments in order of the fmt verbs).
//
// New keys:
//
// import.unknown_header: 未知的列：%s / Unknown column(s): %s
// import.duplicate_header: 列重复：%s / Column(s) given twice: %s
// import.missing_header: 缺少必需的列：%s / Missing required column(s): %s
// import.file_empty: 文件中没有数据 / The file holds no data
// import.file_unreadable: 无法读取文件，请上传 XLSX 或 CSV 文件 / The file cannot be read; upload an XLSX or CSV file
// import.xls_unsupported: 不支持旧版 .xls 文件或加密的工作簿，请另存为 .xlsx 或 CSV / Old .xls files and encrypted workbooks are not supported; save as .xlsx or CSV
// import.csv_syntax: CSV 格式错误（第 %d 行） / CSV syntax error (line %d)
// import.bad_encoding: 第 %d 行的文字编码与文件开头不一致，请另存为“CSV UTF-8” / Row %d is not in the file's text encoding; save the file as "CSV UTF-8"
// import.too_many_rows: 文件超过 %d 行，请分批导入 / The file has more than %d rows; import it in parts
// import.file_too_large: 文件超过 %d MB / The file is larger than %d MB
// import.geojson_collection: 文件须为 GeoJSON FeatureCollection / The file must be a GeoJSON FeatureCollection
// import.duplicate_row: 与第 %d 行重复 / Same as row %d
// import.point_not_in_grid: 坐标不在网格 %s 内 / The point lies outside grid %s
// import.unit_ambiguous: 有多个同名单位，请填写统一社会信用代码 / Several units have this name; give the credit code
// import.person_mismatch: 与同一用户名的第 %d 行不一致 / Differs from row %d of the same username
// import.person_invalid: 同一用户名的第 %d 行有错误，此行一并跳过 / Row %d of the same username has errors, so this row is left out too
// import.not_integer: 须为整数 / Must be a whole number
// import.has_problems: 文件有 %d 处问题，未导入任何数据 / The file has %d problems; nothing was imported
// import.row_failed: 第 %d 行保存失败，整个导入已撤销 / Row %d could not be saved; the whole import was undone
//
// Limits of untrusted files (texts in catalog/<lang>/security_decode.json):
//
// import.too_many_columns (row, max), import.too_many_cells (max),
// import.xlsx_unpacked (max MB), import.xlsx_bomb, import.too_many_strings
// (max), import.too_many_points (max); err.geojson_too_many_points (max),
// err.geojson_complex from region.
//
// Existing keys reused (arguments passed, if any):
//
// err.required, err.too_long (max length), err.invalid_choice, err.unit_kind,
// err.unit_tag (the tag as written), err.credit_code_length,
// err.credit_code_chars, err.credit_code_check, err.coords, err.point_outside,
// err.grid_unknown, err.region_unknown, err.region_code, err.not_negative,
// err.phone, err.mobile, err.username, err.password_short (10),
// err.password_common, err.password_personal,
// err.duplicate_value, err.out_of_scope, err.unit_unknown, err.role_duplicate,
// err.geojson_syntax, err.geojson_type, err.geojson_empty,
// err.geojson_ring_short, err.geojson_not_closed, err.geojson_coords,
// err.geojson_self_intersect.

package importer

// Keys lists the message keys this package adds, for a catalog test.
var Keys = []string{
	"import.unknown_header", "import.duplicate_header", "import.missing_header", "import.file_empty",
	"import.file_unreadable", "import.xls_unsupported", "import.csv_syntax", "import.bad_encoding",
	"import.too_many_rows", "import.file_too_large", "import.geojson_collection", "import.duplicate_row",
	"import.point_not_in_grid", "import.unit_ambiguous", "import.person_mismatch", "import.person_invalid",
	"import.not_integer", "import.has_problems", "import.row_failed",
	"import.too_many_columns", "import.too_many_cells", "import.xlsx_unpacked", "import.xlsx_bomb",
	"import.too_many_strings", "import.too_many_points",
}
