//! The configured upstream providers, looked up by id, with their names in each language.

use std::sync::Arc;

use tessera_core::lang::Lang;

use super::config::ProviderConfig;
use super::provider::Provider;

/// The configured upstream providers (none by default).
#[derive(Clone, Default)]
pub struct Upstreams(Arc<Vec<Arc<Provider>>>);

impl Upstreams {
    /// The providers of checked configurations.
    pub fn new(configs: Vec<ProviderConfig>) -> Result<Self, String> {
        let list = configs
            .into_iter()
            .map(|c| Provider::new(c).map(Arc::new))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self(Arc::new(list)))
    }

    pub fn all(&self) -> &[Arc<Provider>] {
        &self.0
    }

    pub fn get(&self, id: &str) -> Option<Arc<Provider>> {
        self.0.iter().find(|p| p.config.id == id).cloned()
    }

    /// The provider's name in `lang`; its id when it is no longer configured.
    pub fn display_name(&self, id: &str, lang: Lang) -> String {
        match self.get(id) {
            Some(p) => p.config.name(lang).to_owned(),
            None => id.to_owned(),
        }
    }
}

impl ProviderConfig {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhTw => &self.name_zh,
            Lang::En => &self.name_en,
        }
    }
}
