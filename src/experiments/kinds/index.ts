// Every experiment kind, registered on import. A family adds its kinds by writing
// kinds/<family>.ts (one registerExperiment call per kind) and one import line here.
import "./linalgCheck.js";
import "./networkCheck.js";
import "./ncfEscape.js";
import "./ncfSaddles.js";
import "./ncfCircle.js";
import "./ncfSaddleToSaddle.js";
import "./marginCommutation.js";
import "./marginKktEmbedding.js";
import "./plateauDefinite.js";
import "./plateauNegativeDefinite.js";
import "./plateauIndefinite.js";
import "./plateauSaddle.js";
import "./plateauZero.js";
import "./convex.js";
import "./convexWidth.js";
import "./convexThreeLayer.js";
