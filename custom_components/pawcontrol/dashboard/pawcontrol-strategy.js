// PawControl's dashboard strategy: "strategy: {type: custom:pawcontrol}".
//
// Served and loaded by the PawControl integration itself (no resource to add).
// The dashboard is built by the integration (pawcontrol/dashboard) from the
// dogs configured now, in the viewer's language; this file only asks for it.

const STRATEGY = "pawcontrol";
const TAG = `ll-strategy-dashboard-${STRATEGY}`;

// The new-dashboard dialog shows these before any dashboard is open, so before
// the integration could be asked: the picker's words are kept here.
const PICKER = {
  en: {
    name: "PawControl",
    description: "Your dogs: walks, feeding, collar, and the health of the data sources.",
  },
  de: {
    name: "PawControl",
    description: "Deine Hunde: Spaziergänge, Fütterung, Halsband und der Zustand der Datenquellen.",
  },
};

class PawControlDashboardStrategy extends HTMLElement {
  static async generate(config, hass) {
    try {
      return await hass.callWS({ type: "pawcontrol/dashboard", language: hass.language });
    } catch (err) {
      const reason = (err && (err.message || err.code)) || String(err);
      return {
        title: "PawControl",
        views: [
          {
            title: "PawControl",
            cards: [
              {
                type: "markdown",
                content: `PawControl could not build its dashboard: ${reason}`,
              },
            ],
          },
        ],
      };
    }
  }
}

// An extra module can run before the frontend has installed its custom element
// registry (its polyfill replaces window.customElements); a strategy defined in
// the registry it replaces is never found. So the strategy is defined once the
// frontend's own root element is, in the registry the frontend then uses.
function defineWhenReady(waited = 0) {
  const registry = window.customElements;
  if (registry.get(TAG)) {
    return;
  }
  if (registry.get("home-assistant") || waited >= 60000) {
    registry.define(TAG, PawControlDashboardStrategy);
    return;
  }
  setTimeout(() => defineWhenReady(waited + 50), 50);
}

if (!window.pawcontrolStrategyLoaded) {
  window.pawcontrolStrategyLoaded = true;
  defineWhenReady();
  const language = (document.documentElement.lang || "en").slice(0, 2);
  const words = PICKER[language] || PICKER.en;
  window.customStrategies = window.customStrategies || [];
  window.customStrategies.push({
    type: STRATEGY,
    strategyType: "dashboard",
    name: words.name,
    description: words.description,
  });
}
