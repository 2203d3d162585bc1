//! IAM policies: the document grammar (`document`), patterns and policy variables
//! (`pattern`), the patterns compiled once per policy (`compiled`), condition operator names
//! (`operator`), conditions (`condition`) and their values parsed once (`parsed`), the request
//! context (`context`) and AWS's evaluation logic (`evaluate`). Pure: no I/O, no clock of its own.

pub mod compiled;
pub mod condition;
pub mod context;
pub mod document;
pub mod evaluate;
pub mod operator;
mod parsed;
pub mod pattern;

pub use context::{Context, CtxValue, MapContext, RequestContext};
pub use document::{parse_policy, Effect, Policy, PolicyError, PolicyKind, PolicyVersion};
pub use evaluate::{
    evaluate, evaluate_policy, evaluate_split, evaluate_trust, PolicySet, TrustVerdict, Verdict,
};
