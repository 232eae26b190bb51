// Every experiment kind, registered on import. A family adds its kinds by writing
// kinds/<family>.ts (one registerExperiment call per kind) and one import line here.
import "./linalgCheck.js";
import "./networkCheck.js";
import "./ncf.js";
import "./marginCommutation.js";
import "./marginKktEmbedding.js";
import "./plateau.js";
import "./convex.js";
import "./convexWidth.js";
import "./convexThreeLayer.js";
