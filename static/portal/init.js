import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";
import { initFilters } from "./filter.js";

initAll();
initFilters();
