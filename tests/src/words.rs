//! Finding the window's controls by the words a manager reads: a button's text, an icon's name
//! (its aria-label or tooltip), a field's label or placeholder. The help-page tests use these
//! alone, so renaming a control the page names fails them. Words match whole, ignoring case and
//! runs of spaces (the page writes "Goal Completions", the window "Goal completions"; CSS may
//! show a label in capitals).

use std::time::Duration;

use anyhow::{bail, Context};
use fantoccini::elements::Element;
use fantoccini::{Client, Locator};

const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";

/// How long a control may take to appear.
const PATIENCE: Duration = Duration::from_secs(20);

/// `text` as an XPath string literal, whatever quotes it holds.
pub fn literal(text: &str) -> String {
    if !text.contains('\'') {
        return format!("'{text}'");
    }
    let parts: Vec<String> = text.split('\'').map(|part| format!("'{part}'")).collect();
    format!("concat({})", parts.join(", \"'\", "))
}

/// The XPath expression `expr` in lower case, spaces normalised.
fn lowered(expr: &str) -> String {
    format!("translate(normalize-space({expr}), '{UPPER}', '{LOWER}')")
}

/// `words` as the XPath literal the names are compared with: lower case, spaces normalised.
fn spoken(words: &str) -> String {
    literal(
        &words
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase(),
    )
}

/// An XPath predicate: the element is named `words` by its text, aria-label, title or
/// placeholder.
fn named(words: &str) -> String {
    let w = spoken(words);
    format!(
        "{} = {w} or {} = {w} or {} = {w} or {} = {w}",
        lowered("."),
        lowered("@aria-label"),
        lowered("@title"),
        lowered("@placeholder")
    )
}

/// The predicates of a clickable element named `words`.
fn clickable_named(words: &str) -> String {
    format!(
        "[self::button or self::a or self::summary or self::label \
         or self::input[@type='checkbox' or @type='radio'] \
         or @role='button' or @role='tab' or @role='option' or @role='switch' \
         or @role='menuitem'][{}]",
        named(words)
    )
}

/// Every clickable element named `words`.
fn clickable(words: &str) -> String {
    format!("//*{}", clickable_named(words))
}

/// Every field (input, select, text area) named `words`: by its own names, or by the text of
/// the label that holds it or points at it.
fn field_xpath(words: &str) -> String {
    let w = spoken(words);
    let label_text = lowered(".");
    format!(
        "//*[self::input or self::select or self::textarea][{} \
         or ancestor::label[.//*[{label_text} = {w}]] \
         or @id = //label[{label_text} = {w}]/@for]",
        named(words)
    )
}

/// The first of the elements `xpath` finds that is shown, if any.
async fn first_shown(client: &Client, xpath: &str) -> anyhow::Result<Option<Element>> {
    for element in client.find_all(Locator::XPath(xpath)).await? {
        if element.is_displayed().await.unwrap_or(false) {
            return Ok(Some(element));
        }
    }
    Ok(None)
}

/// Waits for a shown element `xpath` finds.
async fn wait_shown_element(client: &Client, xpath: &str, what: &str) -> anyhow::Result<Element> {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(element) = first_shown(client, xpath).await? {
            return Ok(element);
        }
        if tokio::time::Instant::now() > deadline {
            bail!("the window shows no {what}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The shown control named `words` (a button, tab, link, label or checkbox), waiting for it.
pub async fn control(client: &Client, words: &str) -> anyhow::Result<Element> {
    wait_shown_element(
        client,
        &clickable(words),
        &format!("control named {words:?}"),
    )
    .await
}

/// Any shown element named `words`, such as an icon by its name (aria-label or tooltip).
pub async fn named_element(client: &Client, words: &str) -> anyhow::Result<Element> {
    let xpath = format!("//*[{}]", named(words));
    wait_shown_element(client, &xpath, &format!("{words:?}")).await
}

/// The shown control named `words` inside the shown element `scope` (an XPath), waiting for it.
pub async fn control_in(client: &Client, scope: &str, words: &str) -> anyhow::Result<Element> {
    let xpath = format!("({scope})//*{}", clickable_named(words));
    wait_shown_element(
        client,
        &xpath,
        &format!("control named {words:?} in {scope}"),
    )
    .await
}

/// Waits until no shown control is named `words`.
pub async fn wait_no_control(client: &Client, words: &str) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while first_shown(client, &clickable(words)).await?.is_some() {
        if tokio::time::Instant::now() > deadline {
            bail!("the window still shows a control named {words:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// Clicks the control named `words`, finding it again if the window redrew it meanwhile.
pub async fn click(client: &Client, words: &str) -> anyhow::Result<()> {
    for _ in 0..20 {
        let element = control(client, words).await?;
        if element.click().await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("{words:?} could not be clicked")
}

/// Clicks the control named `words` inside the shown element `scope` (an XPath), finding it
/// again if the window redrew it meanwhile.
pub async fn click_in(client: &Client, scope: &str, words: &str) -> anyhow::Result<()> {
    for _ in 0..20 {
        let element = control_in(client, scope, words).await?;
        if element.click().await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("{words:?} in {scope} could not be clicked")
}

/// The shown field named `words` (its label, placeholder or name), waiting for it.
pub async fn field(client: &Client, words: &str) -> anyhow::Result<Element> {
    wait_shown_element(
        client,
        &field_xpath(words),
        &format!("field named {words:?}"),
    )
    .await
}

/// Types `text` into the field named `words`, in place of what it holds.
pub async fn type_into(client: &Client, words: &str, text: &str) -> anyhow::Result<()> {
    for _ in 0..20 {
        let input = field(client, words).await?;
        let typed = async {
            input.clear().await?;
            input.send_keys(text).await
        };
        if typed.await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("could not type into {words:?}")
}

/// Picks the option named `option` in the drop-down named `words`.
pub async fn choose(client: &Client, words: &str, option: &str) -> anyhow::Result<()> {
    let select = field(client, words).await?;
    let xpath = format!(".//option[{}]", named(option));
    let found = select
        .find(Locator::XPath(&xpath))
        .await
        .with_context(|| format!("{words:?} offers no {option:?}"))?;
    found.click().await?;
    Ok(())
}

/// What the window shows, as a manager reads it (the rendered text, hidden parts left out).
pub async fn shown_text(client: &Client) -> anyhow::Result<String> {
    let text = client
        .execute("return document.body.innerText;", vec![])
        .await?;
    Ok(text.as_str().unwrap_or_default().to_string())
}

/// The rendered text of the first shown element `xpath` finds.
pub async fn text_of(client: &Client, xpath: &str) -> anyhow::Result<String> {
    let element = wait_shown_element(client, xpath, xpath).await?;
    let text = client
        .execute(
            "return arguments[0].innerText;",
            vec![serde_json::to_value(&element)?],
        )
        .await?;
    Ok(text.as_str().unwrap_or_default().to_string())
}

/// The rendered value beside the label `words` inside `scope` (a term of a description list and
/// its definition), its lines joined by spaces.
pub async fn value_beside(client: &Client, scope: &str, words: &str) -> anyhow::Result<String> {
    let w = spoken(words);
    let xpath = format!(
        "({scope})//dt[{} = {w}]/following-sibling::dd[1]",
        lowered(".")
    );
    let text = text_of(client, &xpath)
        .await
        .with_context(|| format!("no value beside {words:?}"))?;
    Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Waits until the window shows `text` somewhere (case and spacing as shown).
pub async fn wait_shown(client: &Client, text: &str) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let shown = shown_text(client).await?;
        if shown.contains(text) {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            bail!("the window does not show {text:?}; it shows:\n{shown}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the window no longer shows `text` anywhere.
pub async fn wait_gone(client: &Client, text: &str) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if !shown_text(client).await?.contains(text) {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            bail!("the window still shows {text:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The XPath of a shown heading (h1–h4) named `words`.
pub fn heading(words: &str) -> String {
    format!(
        "//*[self::h1 or self::h2 or self::h3 or self::h4][{}]",
        named(words)
    )
}

/// Waits for a heading named `words`.
pub async fn wait_heading(client: &Client, words: &str) -> anyhow::Result<()> {
    wait_shown_element(client, &heading(words), &format!("heading {words:?}")).await?;
    Ok(())
}

/// Ticks the checkbox next to each of the first `count` names the Users table shows; their
/// names.
pub async fn tick_names(client: &Client, count: usize) -> anyhow::Result<Vec<String>> {
    named_element(client, "Select the users on screen").await?;
    let checks = client
        .find_all(Locator::XPath(
            "//*[@role='table'][@aria-label='Users']\
             //input[@type='checkbox'][starts-with(@aria-label, 'Select ')]\
             [not(@aria-label='Select the users on screen')]",
        ))
        .await?;
    let mut names = Vec::new();
    for check in checks.into_iter().take(count) {
        let label = check.attr("aria-label").await?.unwrap_or_default();
        names.push(label.trim_start_matches("Select ").to_string());
        check.click().await?;
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_hold_any_quote() {
        assert_eq!(literal("Save"), "'Save'");
        assert_eq!(literal("user's data"), "concat('user', \"'\", 's data')");
    }
}
