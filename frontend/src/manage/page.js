/** Every manager console page: its forms go through the API (forms.js). */
import { bindForms } from "./forms.js";

bindForms();
