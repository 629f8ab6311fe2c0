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

if (!customElements.get(TAG)) {
  customElements.define(TAG, PawControlDashboardStrategy);
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
