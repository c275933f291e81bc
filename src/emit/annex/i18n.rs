//! Every word of the annex that is not script text, in Russian and in
//! English: headings, labels, enumerated values in words, day names and
//! durations as a contract writes them.
//!
//! Script text (titles, lines, answers, outcomes, names) is never
//! translated; only these terms are. [`Terms`] is serialised into the
//! template context as `t`, so a company's own template gets the same
//! words.

use serde::Serialize;

/// The language of an annex.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// Russian, the default.
    #[default]
    Ru,
    /// English.
    En,
}

impl Lang {
    /// `ru` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// The headings, labels and terms of the language.
    pub fn terms(self) -> &'static Terms {
        match self {
            Lang::Ru => &RU,
            Lang::En => &EN,
        }
    }
}

/// The fixed words of an annex in one language (the template variable
/// `t`). Field names say where each is used; docs/annex.md lists them.
#[derive(Debug, Serialize)]
pub struct Terms {
    // The title page.
    pub annex: &'static str,
    pub number_sign: &'static str,
    pub to_contract: &'static str,
    pub subtitle: &'static str,
    pub parties_intro: &'static str,
    // Section headings.
    pub section_terms: &'static str,
    pub section_quality: &'static str,
    pub section_roles: &'static str,
    pub section_summary: &'static str,
    pub section_scripts: &'static str,
    pub section_signatures: &'static str,
    // Contract terms.
    pub term: &'static str,
    pub value: &'static str,
    pub contract: &'static str,
    pub customer: &'static str,
    pub contractor: &'static str,
    pub kinds_of_work: &'static str,
    pub service_format: &'static str,
    pub assistance: &'static str,
    pub crm: &'static str,
    pub crm_none: &'static str,
    pub priority: &'static str,
    pub client_base: &'static str,
    pub schedule: &'static str,
    pub timezone: &'static str,
    pub volume: &'static str,
    pub handoff_sla: &'static str,
    pub mandatory: &'static str,
    pub mandatory_intro: &'static str,
    pub not_stated: &'static str,
    pub none: &'static str,
    pub at_most: &'static str,
    pub within: &'static str,
    // Quality control.
    pub quality_intro: &'static str,
    pub side: &'static str,
    pub person: &'static str,
    pub position: &'static str,
    // Roles.
    pub roles_intro: &'static str,
    pub role: &'static str,
    pub contacts: &'static str,
    pub channel: &'static str,
    pub hours: &'static str,
    // The summary table.
    pub number: &'static str,
    pub script: &'static str,
    pub kind: &'static str,
    pub steps: &'static str,
    pub handoffs: &'static str,
    pub deadline: &'static str,
    pub worst_case: &'static str,
    pub fingerprint: &'static str,
    // How to read a script.
    pub reading_nodes: &'static str,
    pub reading_time: &'static str,
    pub reading_fields: &'static str,
    pub reading_fingerprint: &'static str,
    // A script.
    pub script_id: &'static str,
    pub start: &'static str,
    pub per_contract: &'static str,
    pub not_set: &'static str,
    pub clause: &'static str,
    pub duration: &'static str,
    pub unlimited: &'static str,
    pub visits: &'static str,
    pub operator: &'static str,
    pub text: &'static str,
    pub stored_in: &'static str,
    pub answer: &'static str,
    pub goes_to: &'static str,
    pub handed_to: &'static str,
    pub handoff_deadline: &'static str,
    pub sla_applies: &'static str,
    pub passed_data: &'static str,
    pub field: &'static str,
    pub question: &'static str,
    pub summary: &'static str,
    pub fallback: &'static str,
    pub no_fallback: &'static str,
    pub outcome: &'static str,
    pub task: &'static str,
    pub task_deadline: &'static str,
    pub script_fingerprint: &'static str,
    // Signatures.
    pub signature: &'static str,
    pub full_name: &'static str,
    pub seal: &'static str,
    pub date: &'static str,
    pub date_blank: &'static str,
    pub signature_line: &'static str,
    /// Opening and closing quotation marks around script text in running
    /// prose.
    pub quote_open: &'static str,
    pub quote_close: &'static str,
}

/// Russian.
pub static RU: Terms = Terms {
    annex: "Приложение",
    number_sign: "№",
    to_contract: "к договору",
    subtitle: "Условия оказания услуг контакт-центра и сценарии разговоров с клиентами",
    parties_intro: "Настоящее приложение является неотъемлемой частью договора и подписывается обеими сторонами.",
    section_terms: "Условия оказания услуг",
    section_quality: "Контроль качества",
    section_roles: "Сотрудники Заказчика, принимающие клиентов",
    section_summary: "Перечень сценариев",
    section_scripts: "Сценарии разговоров",
    section_signatures: "Подписи Сторон",
    term: "Условие",
    value: "Значение",
    contract: "Договор",
    customer: "Заказчик",
    contractor: "Исполнитель",
    kinds_of_work: "Виды работ",
    service_format: "Формат обслуживания",
    assistance: "Помощь операторам со стороны сотрудников Заказчика",
    crm: "CRM-система, в которой работают операторы",
    crm_none: "не используется",
    priority: "Приоритетные категории клиентов в CRM",
    client_base: "Место хранения клиентской базы",
    schedule: "График работы",
    timezone: "Часовой пояс",
    volume: "Ожидаемое количество звонков в сутки",
    handoff_sla: "Срок передачи «горячего» клиента сотруднику Заказчика",
    mandatory: "Обязательные фразы",
    mandatory_intro: "Оператор произносит дословно в каждом разговоре по каждому сценарию:",
    not_stated: "не указано",
    none: "нет",
    at_most: "не более",
    within: "в течение",
    quality_intro: "Работу операторов контролируют обе Стороны. Ответственные лица:",
    side: "Сторона",
    person: "ФИО",
    position: "Должность",
    roles_intro: "Операторы передают клиентов следующим сотрудникам (подразделениям) Заказчика:",
    role: "Подразделение",
    contacts: "Контактные лица",
    channel: "Канал передачи",
    hours: "Часы работы",
    number: "№",
    script: "Сценарий",
    kind: "Вид работ",
    steps: "Шагов",
    handoffs: "Передач",
    deadline: "Предельное время разговора",
    worst_case: "Наибольшее время разговора (доказано)",
    fingerprint: "Отпечаток",
    reading_nodes: "Сценарий состоит из шагов, которые оператор проходит в зависимости от ответов клиента. Разговор заканчивается передачей клиента сотруднику Заказчика или завершением звонка с указанным итогом.",
    reading_time: "Длительность шага — наибольшее время, отведённое на шаг. Наибольшее время разговора вычислено по сценарию с учётом всех ветвлений и допустимых повторов шагов; оно не превышает предельного времени разговора.",
    reading_fields: "В фигурных скобках указаны данные, подставляемые во время разговора: {operator} — имя оператора, {company} — наименование Заказчика, остальные — ответы клиента на вопросы сценария, записанные в поле с этим именем.",
    reading_fingerprint: "Отпечаток — контрольная сумма SHA-256 содержания сценария. Он совпадает с отпечатком сценария в файле operator.json, по которому работают операторы, и позволяет Сторонам убедиться, что операторы работают по подписанному сценарию.",
    script_id: "Код сценария",
    start: "Начальный шаг",
    per_contract: "по графику договора",
    not_set: "не установлено",
    clause: "п.",
    duration: "Длительность",
    unlimited: "не ограничена",
    visits: "Повторы",
    operator: "Оператор",
    text: "Текст",
    stored_in: "ответ записывается в поле",
    answer: "Ответ клиента",
    goes_to: "Переход",
    handed_to: "Клиент передаётся",
    handoff_deadline: "Срок передачи",
    sla_applies: "срок по договору",
    passed_data: "Передаваемые данные",
    field: "Поле",
    question: "Вопрос, которым получены данные",
    summary: "Сводка для сотрудника",
    fallback: "Если сотрудник не принял клиента в срок",
    no_fallback: "не предусмотрено",
    outcome: "Итог звонка",
    task: "Задача",
    task_deadline: "Срок выполнения",
    script_fingerprint: "Отпечаток сценария",
    signature: "подпись",
    full_name: "ФИО",
    seal: "М.П.",
    date: "Дата",
    date_blank: "«___» ____________ 20___ г.",
    signature_line: "____________________ / ____________________",
    quote_open: "«",
    quote_close: "»",
};

/// English.
pub static EN: Terms = Terms {
    annex: "Annex",
    number_sign: "No.",
    to_contract: "to Contract",
    subtitle: "Terms of the contact-center services and dialogue scripts",
    parties_intro: "This annex is an integral part of the contract and is signed by both parties.",
    section_terms: "Terms of service",
    section_quality: "Quality control",
    section_roles: "Customer staff receiving clients",
    section_summary: "List of scripts",
    section_scripts: "Dialogue scripts",
    section_signatures: "Signatures of the parties",
    term: "Term",
    value: "Value",
    contract: "Contract",
    customer: "Customer",
    contractor: "Contractor",
    kinds_of_work: "Kinds of work",
    service_format: "Service format",
    assistance: "Assistance to operators by the customer's staff",
    crm: "CRM the operators work in",
    crm_none: "none",
    priority: "Priority client categories in the CRM",
    client_base: "Where the client base is kept",
    schedule: "Working schedule",
    timezone: "Time zone",
    volume: "Expected number of calls per day",
    handoff_sla: "Deadline for handing a hot client to the customer's staff",
    mandatory: "Mandatory phrases",
    mandatory_intro: "The operator says, word for word, in every call of every script:",
    not_stated: "not stated",
    none: "none",
    at_most: "at most",
    within: "within",
    quality_intro: "Both parties control the operators' work. Responsible persons:",
    side: "Party",
    person: "Name",
    position: "Position",
    roles_intro: "Operators hand clients over to the following customer staff (departments):",
    role: "Department",
    contacts: "Contact persons",
    channel: "Channel",
    hours: "Hours on duty",
    number: "No.",
    script: "Script",
    kind: "Kind of work",
    steps: "Steps",
    handoffs: "Handoffs",
    deadline: "Talk-time limit",
    worst_case: "Proven worst-case talk time",
    fingerprint: "Fingerprint",
    reading_nodes: "A script consists of steps the operator goes through according to the client's answers. A call ends by handing the client to a customer employee, or with the stated outcome.",
    reading_time: "A step's duration is the longest time allowed for it. The worst-case talk time is computed from the script over every branch and every allowed repetition of a step; it does not exceed the talk-time limit.",
    reading_fields: "Braces mark data filled in during the call: {operator} is the operator's name, {company} the customer's name, any other is the client's answer to the script's question stored under that name.",
    reading_fingerprint: "The fingerprint is a SHA-256 checksum of the script's content. It equals the script's fingerprint in the operator.json file the operators work from, so that the parties can check that the operators follow the signed script.",
    script_id: "Script code",
    start: "First step",
    per_contract: "as in the contract",
    not_set: "not set",
    clause: "cl.",
    duration: "Duration",
    unlimited: "not limited",
    visits: "Repetitions",
    operator: "Operator",
    text: "Text",
    stored_in: "answer stored in field",
    answer: "Client's answer",
    goes_to: "Goes to",
    handed_to: "The client is handed to",
    handoff_deadline: "Handoff deadline",
    sla_applies: "the contract's deadline",
    passed_data: "Data passed on",
    field: "Field",
    question: "Question that collects it",
    summary: "Summary for the employee",
    fallback: "If the employee does not take the client in time",
    no_fallback: "not provided",
    outcome: "Outcome of the call",
    task: "Task",
    task_deadline: "Deadline",
    script_fingerprint: "Script fingerprint",
    signature: "signature",
    full_name: "name",
    seal: "Seal",
    date: "Date",
    date_blank: "____ ______________ 20___",
    signature_line: "____________________ / ____________________",
    quote_open: "“",
    quote_close: "”",
};

/// An enumerated value in words.
pub struct Words {
    pub ru: &'static str,
    pub en: &'static str,
}

impl Words {
    pub fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Ru => self.ru,
            Lang::En => self.en,
        }
    }
}

macro_rules! words {
    ($($name:ident: $ru:literal / $en:literal;)*) => {
        $(pub const $name: Words = Words { ru: $ru, en: $en };)*
    };
}

words! {
    OPERATORS_BASIC: "звонки принимают операторы Исполнителя без специальной подготовки (базовый формат)"
        / "calls are taken by the contractor's ordinary operators (basic format)";
    OPERATORS_TRAINED: "звонки принимают операторы Исполнителя, обученные специфике бизнеса Заказчика"
        / "calls are taken by contractor staff trained in the customer's business";
    YES: "да" / "yes";
    NO: "нет" / "no";
    BASE_AT_CUSTOMER: "у Заказчика" / "at the customer";
    BASE_AT_CONTRACTOR: "у Исполнителя" / "at the contractor";
    PARTY_CUSTOMER: "Заказчик" / "Customer";
    PARTY_CONTRACTOR: "Исполнитель" / "Contractor";
    KIND_INBOUND: "входящие звонки" / "inbound calls";
    KIND_OUTBOUND: "исходящие звонки" / "outbound calls";
    KIND_TELEMARKETING: "телемаркетинг" / "telemarketing";
    NODE_STEP: "шаг" / "step";
    NODE_HANDOFF: "передача клиента" / "handoff";
    NODE_END: "завершение звонка" / "end of call";
    LINE_SAY: "говорит" / "says";
    LINE_ASK: "спрашивает" / "asks";
    LINE_NOTE: "заметка, не произносится" / "note, not said";
    EXIT_ANSWER: "ответ" / "answer";
    EXIT_OTHERWISE: "любой другой ответ" / "any other answer";
    EXIT_GOTO: "далее, независимо от ответа" / "next, whatever the answer";
    ALWAYS: "круглосуточно, без выходных (24/7)" / "around the clock, every day (24/7)";
    DAILY: "ежедневно" / "daily";
    UNPROVEN_NO_START: "не определено: у сценария нет начального шага"
        / "not determined: the script has no first step";
    UNPROVEN_DURATION: "не определено: не у всех шагов указана длительность"
        / "not determined: not every step has a duration";
    UNPROVEN_LOOP: "не определено: повтор шагов не ограничен"
        / "not determined: a repetition of steps is not limited";
    UNPROVEN_NO_TERMINAL: "не определено: разговор не может завершиться"
        / "not determined: the call cannot end";
}

const DAYS_RU: [&str; 7] = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"];
const DAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
/// Day names as the language's notation writes them (`WeekMask::describe`).
const DAYS_NOTATION: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A day of the week in words (`0` is Monday).
pub fn day(lang: Lang, index: usize) -> &'static str {
    let names = match lang {
        Lang::Ru => &DAYS_RU,
        Lang::En => &DAYS_EN,
    };
    names.get(index).copied().unwrap_or("")
}

/// A schedule's windows in words, from its normalised notation (the text
/// `WeekMask::describe` gives, as in operator.json's `schedule.text`):
/// `mon-fri 09:00-21:00, sat 10:00-16:00` → `пн–пт 09:00–21:00`,
/// `сб 10:00–16:00`; every day → `ежедневно 09:00–18:00`; `24/7` → around
/// the clock.
pub fn schedule_windows(lang: Lang, notation: &str) -> Vec<String> {
    if notation == "24/7" {
        return vec![ALWAYS.get(lang).to_string()];
    }
    notation
        .split(", ")
        .map(|window| match window.split_once(' ') {
            Some((days, times)) => format!("{} {}", days_in_words(lang, days), dashes(times)),
            None => dashes(window),
        })
        .collect()
}

/// A schedule in words, windows separated by commas.
pub fn schedule(lang: Lang, notation: &str) -> String {
    schedule_windows(lang, notation).join(", ")
}

/// `mon-fri` → `пн–пт`; `mon-sun` → `ежедневно`.
fn days_in_words(lang: Lang, days: &str) -> String {
    let index = |name: &str| DAYS_NOTATION.iter().position(|d| *d == name);
    match days.split_once('-') {
        Some(("mon", "sun")) => DAILY.get(lang).to_string(),
        Some((first, last)) => match (index(first), index(last)) {
            (Some(a), Some(b)) => format!("{}–{}", day(lang, a), day(lang, b)),
            _ => dashes(days),
        },
        None => index(days).map_or_else(|| days.to_string(), |d| day(lang, d).to_string()),
    }
}

/// A range written with an en dash: `09:00-21:00` → `09:00–21:00`.
fn dashes(s: &str) -> String {
    s.replace('-', "–")
}

/// Units of a duration, largest first: (seconds, Russian, English).
const UNITS: [(u64, &str, &str); 4] = [
    (86_400, "дн.", "d"),
    (3_600, "ч", "h"),
    (60, "мин", "min"),
    (1, "сек", "s"),
];

/// Below this, a duration is written in hours rather than days: a day's
/// task reads "24 ч", not "1 дн.".
const DAYS_FROM_S: u64 = 48 * 3_600;

/// A duration as a contract writes it: `3 мин`, `8 ч`, `1 ч 30 мин`,
/// `45 сек`, `2 дн.` (English: `3 min`, `8 h`, `1 h 30 min`, `45 s`,
/// `2 d`). Each number and its unit are joined by `space`.
pub fn duration(lang: Lang, seconds: u64, space: &str) -> String {
    if seconds == 0 {
        return format!("0{space}{}", unit_name(lang, UNITS[3]));
    }
    let mut rest = seconds;
    let mut parts = Vec::new();
    for unit in UNITS {
        let size = unit.0;
        if size == 86_400 && seconds < DAYS_FROM_S {
            continue;
        }
        if rest >= size {
            parts.push(format!("{}{space}{}", rest / size, unit_name(lang, unit)));
            rest %= size;
        }
    }
    parts.join(" ")
}

fn unit_name(lang: Lang, unit: (u64, &'static str, &'static str)) -> &'static str {
    match lang {
        Lang::Ru => unit.1,
        Lang::En => unit.2,
    }
}

/// `не более 3 раз за звонок` / `at most 3 times per call`.
pub fn visits(lang: Lang, n: u32) -> String {
    match lang {
        // "не более" takes the genitive: 1 раза, 21 раза; 2, 5, 11 раз.
        Lang::Ru if n % 10 == 1 && n % 100 != 11 => format!("не более {n} раза за звонок"),
        Lang::Ru => format!("не более {n} раз за звонок"),
        Lang::En if n == 1 => "at most once per call".to_string(),
        Lang::En => format!("at most {n} times per call"),
    }
}

/// The annex's title: `Приложение № 3 к договору «…»` / `Annex No. 3 to
/// Contract «…»`; without a number, `Приложение к договору «…»`.
pub fn title(lang: Lang, number: Option<&str>, contract: Option<&str>) -> String {
    let t = lang.terms();
    let mut s = t.annex.to_string();
    if let Some(n) = number {
        s.push_str(&format!(" {} {n}", t.number_sign));
    }
    if let Some(c) = contract {
        s.push_str(&format!(" {} «{c}»", t.to_contract));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_a_contract_writes_them() {
        let ru = |s| duration(Lang::Ru, s, " ");
        let en = |s| duration(Lang::En, s, " ");
        assert_eq!(ru(180), "3 мин");
        assert_eq!(ru(45), "45 сек");
        assert_eq!(ru(90), "1 мин 30 сек");
        assert_eq!(ru(5_400), "1 ч 30 мин");
        assert_eq!(ru(8 * 3_600), "8 ч");
        assert_eq!(ru(24 * 3_600), "24 ч");
        assert_eq!(ru(47 * 3_600 + 60), "47 ч 1 мин");
        assert_eq!(ru(2 * 86_400), "2 дн.");
        assert_eq!(ru(3 * 86_400 + 3_600), "3 дн. 1 ч");
        assert_eq!(en(180), "3 min");
        assert_eq!(en(5_400), "1 h 30 min");
        assert_eq!(en(2 * 86_400), "2 d");
        assert_eq!(en(45), "45 s");
        assert_eq!(duration(Lang::Ru, 5_400, "\u{a0}"), "1\u{a0}ч 30\u{a0}мин");
    }

    #[test]
    fn schedules_in_words() {
        let notation = "mon-fri 09:00-21:00, sat 10:00-16:00";
        assert_eq!(
            schedule(Lang::Ru, notation),
            "пн–пт 09:00–21:00, сб 10:00–16:00"
        );
        assert_eq!(
            schedule(Lang::En, notation),
            "Mon–Fri 09:00–21:00, Sat 10:00–16:00"
        );
        assert_eq!(
            schedule(Lang::Ru, "mon-sun 09:00-18:00"),
            "ежедневно 09:00–18:00"
        );
        assert_eq!(schedule(Lang::En, "24/7"), ALWAYS.en);
    }

    #[test]
    fn visits_agree_in_number() {
        assert_eq!(visits(Lang::Ru, 1), "не более 1 раза за звонок");
        assert_eq!(visits(Lang::Ru, 3), "не более 3 раз за звонок");
        assert_eq!(visits(Lang::Ru, 11), "не более 11 раз за звонок");
        assert_eq!(visits(Lang::Ru, 21), "не более 21 раза за звонок");
        assert_eq!(visits(Lang::En, 1), "at most once per call");
        assert_eq!(visits(Lang::En, 2), "at most 2 times per call");
    }

    #[test]
    fn titles_with_and_without_a_number() {
        assert_eq!(
            title(Lang::Ru, Some("3-А"), Some("Договор № 1")),
            "Приложение № 3-А к договору «Договор № 1»"
        );
        assert_eq!(
            title(Lang::En, Some("3"), Some("Contract 1")),
            "Annex No. 3 to Contract «Contract 1»"
        );
        assert_eq!(
            title(Lang::Ru, None, Some("Д")),
            "Приложение к договору «Д»"
        );
    }
}
