// Start the GOV.UK Frontend components (menus, character counts, error summary focus).
import { initAll } from "../dist/govuk-frontend.min.js";

initAll();
