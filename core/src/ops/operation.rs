//! `Operation`: every operation extenddb serves, as one enum. Routing (the `X-Amz-Target`
//! name), the IAM action, the metrics label and the list of supported operations all derive
//! from the one table below, so they cannot drift apart.

/// The API an operation belongs to: its `X-Amz-Target` prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Api {
    /// `DynamoDB_20120810`.
    DynamoDb,
    /// `DynamoDBStreams_20120810`.
    Streams,
}

impl Api {
    /// The `X-Amz-Target` prefix of the API.
    pub fn target_prefix(self) -> &'static str {
        match self {
            Api::DynamoDb => "DynamoDB_20120810",
            Api::Streams => "DynamoDBStreams_20120810",
        }
    }
}

macro_rules! operations {
    ($( $variant:ident => $api:ident, $action:expr; )*) => {
        /// One operation of the DynamoDB or DynamoDB Streams API.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Operation {
            $(
                #[doc = concat!("`", stringify!($variant), "`.")]
                $variant,
            )*
        }

        impl Operation {
            /// Every operation, in the order of the table (alphabetical within an API).
            pub const ALL: &'static [Operation] = &[$(Operation::$variant),*];

            /// The operation's wire name (the part of `X-Amz-Target` after the dot), which is
            /// also its metrics label.
            pub fn name(self) -> &'static str {
                match self {
                    $(Operation::$variant => stringify!($variant),)*
                }
            }

            /// The API the operation belongs to.
            pub fn api(self) -> Api {
                match self {
                    $(Operation::$variant => Api::$api,)*
                }
            }

            /// The operation `X-Amz-Target` names: `api` and the name after the dot. `None` for
            /// a name this server does not serve (UnknownOperationException). One `match` on
            /// the name (compiled to a length switch and a comparison or two), not a scan of
            /// `ALL`: it runs on every request.
            pub fn from_target(api: Api, name: &str) -> Option<Operation> {
                let op = match name {
                    $(stringify!($variant) => Operation::$variant,)*
                    _ => return None,
                };
                (op.api() == api).then_some(op)
            }

            /// The IAM action the operation is authorized as, when it is authorized as itself.
            /// `None` for the transactions, which AWS authorizes item by item as the item
            /// actions (with `dynamodb:EnclosingOperation`), and for the PartiQL operations,
            /// authorized statement by statement as `dynamodb:PartiQL<Select|Insert|Update|Delete>`.
            pub fn iam_action(self) -> Option<&'static str> {
                match self {
                    $(Operation::$variant => $action,)*
                }
            }
        }
    };
}

operations! {
    BatchExecuteStatement => DynamoDb, None;
    BatchGetItem => DynamoDb, Some("dynamodb:BatchGetItem");
    BatchWriteItem => DynamoDb, Some("dynamodb:BatchWriteItem");
    CreateBackup => DynamoDb, Some("dynamodb:CreateBackup");
    CreateTable => DynamoDb, Some("dynamodb:CreateTable");
    DeleteBackup => DynamoDb, Some("dynamodb:DeleteBackup");
    DeleteItem => DynamoDb, Some("dynamodb:DeleteItem");
    DeleteTable => DynamoDb, Some("dynamodb:DeleteTable");
    DescribeBackup => DynamoDb, Some("dynamodb:DescribeBackup");
    DescribeContinuousBackups => DynamoDb, Some("dynamodb:DescribeContinuousBackups");
    DescribeContributorInsights => DynamoDb, Some("dynamodb:DescribeContributorInsights");
    DescribeEndpoints => DynamoDb, Some("dynamodb:DescribeEndpoints");
    DescribeExport => DynamoDb, Some("dynamodb:DescribeExport");
    DescribeGlobalTable => DynamoDb, Some("dynamodb:DescribeGlobalTable");
    DescribeGlobalTableSettings => DynamoDb, Some("dynamodb:DescribeGlobalTableSettings");
    DescribeImport => DynamoDb, Some("dynamodb:DescribeImport");
    DescribeKinesisStreamingDestination => DynamoDb, Some("dynamodb:DescribeKinesisStreamingDestination");
    DescribeLimits => DynamoDb, Some("dynamodb:DescribeLimits");
    DescribeTable => DynamoDb, Some("dynamodb:DescribeTable");
    DescribeTableReplicaAutoScaling => DynamoDb, Some("dynamodb:DescribeTableReplicaAutoScaling");
    DescribeTimeToLive => DynamoDb, Some("dynamodb:DescribeTimeToLive");
    ExecuteStatement => DynamoDb, None;
    ExecuteTransaction => DynamoDb, None;
    GetItem => DynamoDb, Some("dynamodb:GetItem");
    GetResourcePolicy => DynamoDb, Some("dynamodb:GetResourcePolicy");
    ListBackups => DynamoDb, Some("dynamodb:ListBackups");
    ListContributorInsights => DynamoDb, Some("dynamodb:ListContributorInsights");
    ListExports => DynamoDb, Some("dynamodb:ListExports");
    ListGlobalTables => DynamoDb, Some("dynamodb:ListGlobalTables");
    ListImports => DynamoDb, Some("dynamodb:ListImports");
    ListTables => DynamoDb, Some("dynamodb:ListTables");
    ListTagsOfResource => DynamoDb, Some("dynamodb:ListTagsOfResource");
    PutItem => DynamoDb, Some("dynamodb:PutItem");
    Query => DynamoDb, Some("dynamodb:Query");
    RestoreTableFromBackup => DynamoDb, Some("dynamodb:RestoreTableFromBackup");
    RestoreTableToPointInTime => DynamoDb, Some("dynamodb:RestoreTableToPointInTime");
    Scan => DynamoDb, Some("dynamodb:Scan");
    TagResource => DynamoDb, Some("dynamodb:TagResource");
    TransactGetItems => DynamoDb, None;
    TransactWriteItems => DynamoDb, None;
    UntagResource => DynamoDb, Some("dynamodb:UntagResource");
    UpdateContinuousBackups => DynamoDb, Some("dynamodb:UpdateContinuousBackups");
    UpdateItem => DynamoDb, Some("dynamodb:UpdateItem");
    UpdateTable => DynamoDb, Some("dynamodb:UpdateTable");
    UpdateTimeToLive => DynamoDb, Some("dynamodb:UpdateTimeToLive");
    DescribeStream => Streams, Some("dynamodb:DescribeStream");
    GetRecords => Streams, Some("dynamodb:GetRecords");
    GetShardIterator => Streams, Some("dynamodb:GetShardIterator");
    ListStreams => Streams, Some("dynamodb:ListStreams");
}

impl Operation {
    /// A dense index (0 .. `ALL.len()`), for per-operation arrays such as metrics.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The ConditionCheck item action of transactions has an IAM action of its own.
    pub const CONDITION_CHECK_ACTION: &'static str = "dynamodb:ConditionCheckItem";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_route_back_to_their_operation() {
        for (i, op) in Operation::ALL.iter().enumerate() {
            assert_eq!(op.index(), i);
            assert_eq!(Operation::from_target(op.api(), op.name()), Some(*op));
        }
        assert_eq!(
            Operation::from_target(Api::DynamoDb, "PutItem"),
            Some(Operation::PutItem)
        );
        assert_eq!(Operation::from_target(Api::DynamoDb, "putitem"), None);
        assert_eq!(Operation::from_target(Api::Streams, "PutItem"), None);
        assert_eq!(
            Operation::from_target(Api::Streams, "GetRecords"),
            Some(Operation::GetRecords)
        );
        assert_eq!(Operation::from_target(Api::DynamoDb, "GetRecords"), None);
    }

    #[test]
    fn iam_actions_follow_the_name_except_transactions_and_partiql() {
        for op in Operation::ALL {
            match op.iam_action() {
                Some(action) => assert_eq!(action, format!("dynamodb:{}", op.name())),
                None => assert!(matches!(
                    op,
                    Operation::TransactGetItems
                        | Operation::TransactWriteItems
                        | Operation::ExecuteStatement
                        | Operation::BatchExecuteStatement
                        | Operation::ExecuteTransaction
                )),
            }
        }
    }
}
