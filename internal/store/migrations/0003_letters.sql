-- Responsibility letters (目标管理责任书): yearly templates, the letters
-- issued to units with their exact text and hash, the signature images and
-- scans (files kept by content hash under the data folder), and a default
-- template for 2026 so that a fresh install can issue at once.

CREATE TABLE letter_templates (
    id             {{pk}},
    year           INTEGER NOT NULL,
    kind           TEXT NOT NULL DEFAULT '',
    title          TEXT NOT NULL,
    preamble       TEXT NOT NULL DEFAULT '',
    clauses        TEXT NOT NULL DEFAULT '[]',
    street_duties  TEXT NOT NULL DEFAULT '[]',
    unit_duties    TEXT NOT NULL DEFAULT '[]',
    term           TEXT NOT NULL DEFAULT '',
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX letter_templates_year ON letter_templates(year, kind, id);

CREATE TABLE letters (
    id                {{pk}},
    unit_id           BIGINT NOT NULL REFERENCES units(id),
    year              INTEGER NOT NULL,
    template_id       BIGINT REFERENCES letter_templates(id),
    template_version  INTEGER NOT NULL DEFAULT 0,
    status            TEXT NOT NULL,
    title             TEXT NOT NULL,
    body              TEXT NOT NULL,
    sha256            TEXT NOT NULL,
    clauses           TEXT NOT NULL DEFAULT '[]',
    representative    TEXT NOT NULL DEFAULT '',
    note              TEXT NOT NULL DEFAULT '',
    issued_at         BIGINT NOT NULL DEFAULT 0,
    issued_by         BIGINT,
    signed_at         BIGINT NOT NULL DEFAULT 0,
    withdrawn_at      BIGINT NOT NULL DEFAULT 0,
    archived_at       BIGINT NOT NULL DEFAULT 0,
    reminded_at       BIGINT NOT NULL DEFAULT 0,
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
-- A unit has at most one letter per year that is not withdrawn.
CREATE UNIQUE INDEX letters_unit_year ON letters(unit_id, year) WHERE status <> 'withdrawn';
CREATE INDEX letters_unit ON letters(unit_id, year, id);
CREATE INDEX letters_year ON letters(year, id);
CREATE INDEX letters_year_status ON letters(year, status, id);
CREATE INDEX letters_template ON letters(template_id);

CREATE TABLE letter_files (
    id          TEXT PRIMARY KEY,
    format      TEXT NOT NULL,
    size        BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    created_by  BIGINT
);

CREATE TABLE letter_signatures (
    id           {{pk}},
    letter_id    BIGINT NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
    party        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    file_id      TEXT NOT NULL REFERENCES letter_files(id),
    signer_id    BIGINT,
    signer_name  TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    at           BIGINT NOT NULL
);
-- One signature per party; a scan is party 'both'.
CREATE UNIQUE INDEX letter_signatures_party ON letter_signatures(letter_id, party);
CREATE INDEX letter_signatures_file ON letter_signatures(file_id);

-- The default template for every unit kind in 2026 (created 2026-01-01 00:00 UTC+8).
INSERT INTO letter_templates (year, kind, title, preamble, clauses, street_duties, unit_duties, term, version, created_at, updated_at) VALUES (2026, '',
'{street}{year}年度大气污染防治目标管理责任书',
'为贯彻落实《中华人民共和国大气污染防治法》和大气污染防治“蓝天行动”实施方案，明确辖区各单位大气污染防治责任，持续改善空气质量，{street}办事处（以下简称甲方）与{unit}（以下简称乙方）签订本责任书。',
'[{"text": "禁止燃放烟花爆竹：乙方教育本单位职工（住户）遵守烟花爆竹禁放规定，婚丧嫁娶、开业庆典等活动不燃放烟花爆竹，发现燃放行为及时劝阻并报告。", "categories": ["L001"]}, {"text": "宣传环保法律法规：乙方在本单位（院落）宣传《中华人民共和国大气污染防治法》等环保法律法规和大气污染防治知识，张贴宣传资料，组织职工（住户）参加环保宣传教育活动。", "categories": []}, {"text": "施工扬尘防控：乙方有施工作业的，做到工地周边围挡、物料堆放覆盖、土方开挖湿法作业、出入道路硬化、出入车辆清洗、渣土车辆密闭运输。", "categories": ["08004", "08007", "08008", "08012", "08011"]}, {"text": "禁止露天焚烧：乙方不在单位（院落）内及周边露天焚烧垃圾、树叶、秸秆等废弃物。", "categories": ["06020"]}, {"text": "油烟净化设施：乙方有餐饮经营或职工食堂的，安装并正常使用油烟净化设施，定期清洗维护，不露天烧烤。", "categories": ["06027", "06029"]}, {"text": "使用清洁能源：乙方使用电、天然气等清洁能源，不燃用散煤，不新建、不使用燃煤小锅炉。", "categories": ["L002"]}, {"text": "配合巡查督查：乙方配合网格巡查员和督查组的巡查、检查，对发现的问题按期整改并如实反馈。", "categories": []}, {"text": "参加月末综合整治：乙方参加每月最后一个星期五的综合整治，清理责任区内的小广告、卫生死角和暴露垃圾。", "categories": ["L005", "L006", "06010"]}]',
'["甲方向乙方宣传大气污染防治法律法规和政策，提供指导和服务。", "甲方通过网格巡查、每周督查和月末综合整治，检查乙方履行本责任书的情况。", "甲方及时受理乙方反映的问题，协调解决。", "甲方将乙方履行本责任书的情况纳入年度考核，并予以通报。"]',
'["乙方主要负责人是本单位大气污染防治第一责任人，确定{representative}负责本责任书的落实。", "乙方建立本单位大气污染防治管理制度，落实本责任书各项条款。", "乙方对甲方指出的问题按期整改，整改情况及时报告甲方。"]',
'本责任书自签订之日起至{year}年12月31日止。本责任书一式两份，甲乙双方各执一份。',
1, 1767196800000, 1767196800000);
