/** Registers every AccountConfig task (one module per area). Only `import type` from typechain-types here. */
import "./account";
import "./usage-key";
import "./group";
import "./action";
import "./wallet";
import "./permission";
import "./config";
import "./billing";
import "./batch";
import "./diamond";
import "./relayer";
