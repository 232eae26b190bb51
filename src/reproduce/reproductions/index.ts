// Every reproduction registers itself from its own file; importing this module registers them all.
import "./embeddingExp1.js";
import "./embeddingExp2a.js";
import "./embeddingExp2b.js";
import "./embeddingExp3.js";
import "./embeddingExp4.js";
import "./saddles5pt.js";
import "./saddles3d.js";
import "./embeddingMnistMlp.js";
import "./embeddingMnistCnn.js";
import "./convexStaircaseCircle.js";
import "./ncfSmallInitLogistic.js";
import "./ncfDeepEscape.js";
import "./convexFigure2.js";
import "./convexExample2.js";
import "./convexThreeLayerOptimalSet.js";
