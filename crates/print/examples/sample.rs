//! Writes a sample printed case (two pages: fields, a paragraph, the history) to the path given
//! as the first argument, for looking at the layout: `cargo run -p tessera-print --example sample
//! -- /tmp/sample.pdf`, then e.g. `pdftoppm -png -r 80 /tmp/sample.pdf /tmp/sample`.

use tessera_print::{Block, Document, Fonts, render};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: sample OUT.pdf")?;
    let fonts = Fonts::system()?;
    let mut fields = vec![
        ("姓名".to_string(), "林𡘙生".to_string()),
        ("身分證統一編號".to_string(), "A123456789".to_string()),
        (
            "執業場所".to_string(),
            "臺北市立聯合醫院仁愛院區".to_string(),
        ),
        (
            "地址".to_string(),
            "臺北市大安區仁愛路四段10號\n（郵遞區號106）".to_string(),
        ),
        (
            "支援內容".to_string(),
            "每週二、四上午於本院家庭醫學科門診支援看診，並協助社區長者健康檢查及衛教講座；\
             English text wraps at spaces: the applicant shall comply with the Medical Care Act."
                .to_string(),
        ),
    ];
    for i in 1..=30 {
        fields.push((format!("附表項目{i:02}"), format!("第{i:02}項資料內容")));
    }
    let doc = Document {
        title: "報備支援申請書".into(),
        operator: "臺北市政府衛生局".into(),
        case_number: "報備-115-000123".into(),
        printed_on: "列印日期：115年12月07日".into(),
        test_banner: Some("測試環境：所有資料均為測試資料".into()),
        blocks: vec![
            Block::Heading("申請人資料".into()),
            Block::Fields(fields),
            Block::Paragraph("本人確認以上資料正確無誤，如有不實，願負法律責任。".into()),
            Block::Heading("處理紀錄".into()),
            Block::History {
                header: ["時間", "處理", "處理者", "說明"].map(String::from),
                rows: (1..=12)
                    .map(|i| {
                        [
                            format!("115/12/{i:02} 09:30"),
                            "補件".into(),
                            "承辦人王小明".into(),
                            "請補附執業執照影本及支援同意書（正本），並於十日內送達。".into(),
                        ]
                    })
                    .collect(),
            },
        ],
    };
    std::fs::write(&path, render(&doc, &fonts)?)?;
    Ok(())
}
