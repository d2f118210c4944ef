//! The workloads: W1 `hello` and W2 `chain10` of the benchmark suite.

use clap::ValueEnum;
use serde_json::{Value, json};

/// What `--workload` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WorkloadChoice {
    Hello,
    Chain10,
    All,
}

impl WorkloadChoice {
    pub fn workloads(self) -> Vec<Workload> {
        match self {
            WorkloadChoice::Hello => vec![Workload::Hello],
            WorkloadChoice::Chain10 => vec![Workload::Chain10],
            WorkloadChoice::All => vec![Workload::Hello, Workload::Chain10],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// W1: Pass → Succeed, input `{"a":1}`.
    Hello,
    /// W2: ten sequential Pass states with InputPath, Parameters and ResultPath on a
    /// ~1 KiB order document.
    Chain10,
}

impl Workload {
    pub fn name(self) -> &'static str {
        match self {
            Workload::Hello => "hello",
            Workload::Chain10 => "chain10",
        }
    }

    /// States entered by one execution (Step Functions bills these as state
    /// transitions).
    pub fn states_per_execution(self) -> u32 {
        match self {
            Workload::Hello => 2,
            Workload::Chain10 => 10,
        }
    }

    pub fn definition(self) -> Value {
        match self {
            Workload::Hello => json!({
                "StartAt": "P",
                "States": {
                    "P": {"Type": "Pass", "Next": "S"},
                    "S": {"Type": "Succeed"}
                }
            }),
            Workload::Chain10 => chain10_definition(),
        }
    }

    pub fn input(self) -> Value {
        match self {
            Workload::Hello => json!({"a": 1}),
            Workload::Chain10 => chain10_input(),
        }
    }
}

/// An order pipeline: each state picks part of the document with InputPath, reshapes
/// it with Parameters (paths into the state input and the context object) and files
/// the result under `$.context` with ResultPath, so the payload stays about the same
/// size from state to state.
fn chain10_definition() -> Value {
    json!({
        "Comment": "W2 chain10: ten Pass states over an order document",
        "StartAt": "ReadOrder",
        "States": {
            "ReadOrder": {
                "Type": "Pass",
                "InputPath": "$.order",
                "Parameters": {
                    "orderId.$": "$.orderId",
                    "currency.$": "$.currency",
                    "placedAt.$": "$.placedAt"
                },
                "ResultPath": "$.context",
                "Next": "ReadCustomer"
            },
            "ReadCustomer": {
                "Type": "Pass",
                "InputPath": "$.order.customer",
                "Parameters": {
                    "id.$": "$.id",
                    "tier.$": "$.tier",
                    "email.$": "$.email"
                },
                "ResultPath": "$.context.customer",
                "Next": "ReadShipping"
            },
            "ReadShipping": {
                "Type": "Pass",
                "InputPath": "$.order.shipping",
                "Parameters": {
                    "method.$": "$.method",
                    "country.$": "$.address.country",
                    "postcode.$": "$.address.postcode"
                },
                "ResultPath": "$.context.shipping",
                "Next": "ReadFirstItem"
            },
            "ReadFirstItem": {
                "Type": "Pass",
                "InputPath": "$.order.items[0]",
                "Parameters": {
                    "sku.$": "$.sku",
                    "quantity.$": "$.quantity",
                    "unitPrice.$": "$.unitPrice"
                },
                "ResultPath": "$.context.firstItem",
                "Next": "ReadPayment"
            },
            "ReadPayment": {
                "Type": "Pass",
                "InputPath": "$.order.payment",
                "Parameters": {
                    "method.$": "$.method",
                    "last4.$": "$.card.last4",
                    "authorised": true
                },
                "ResultPath": "$.context.payment",
                "Next": "PriceOrder"
            },
            "PriceOrder": {
                "Type": "Pass",
                "InputPath": "$.order.totals",
                "Parameters": {
                    "subtotal.$": "$.subtotal",
                    "tax.$": "$.tax",
                    "total.$": "$.total",
                    "currency.$": "$$.Execution.Input.order.currency"
                },
                "ResultPath": "$.context.pricing",
                "Next": "SetFlags"
            },
            "SetFlags": {
                "Type": "Pass",
                "InputPath": "$.context",
                "Parameters": {
                    "shippingMethod.$": "$.shipping.method",
                    "customerTier.$": "$.customer.tier",
                    "source": "weft-bench"
                },
                "ResultPath": "$.context.flags",
                "Next": "Audit"
            },
            "Audit": {
                "Type": "Pass",
                "InputPath": "$.context",
                "Parameters": {
                    "orderId.$": "$.orderId",
                    "execution.$": "$$.Execution.Name",
                    "state.$": "$$.State.Name"
                },
                "ResultPath": "$.audit",
                "Next": "Route"
            },
            "Route": {
                "Type": "Pass",
                "InputPath": "$.context.shipping",
                "Parameters": {
                    "warehouse": "eu-central-1",
                    "country.$": "$.country",
                    "method.$": "$.method"
                },
                "ResultPath": "$.context.route",
                "Next": "Summarise"
            },
            "Summarise": {
                "Type": "Pass",
                "InputPath": "$.context",
                "Parameters": {
                    "orderId.$": "$.orderId",
                    "customer.$": "$.customer.id",
                    "total.$": "$.pricing.total",
                    "warehouse.$": "$.route.warehouse"
                },
                "ResultPath": "$.summary",
                "End": true
            }
        }
    })
}

fn chain10_input() -> Value {
    let items: Vec<Value> = [
        ("SKU-10041", "Espresso beans, 1 kg", 2, 18.5),
        ("SKU-20417", "Burr grinder", 1, 129.0),
        ("SKU-30022", "Milk jug, 600 ml", 1, 14.9),
        ("SKU-40108", "Descaling tablets (12)", 3, 6.75),
        ("SKU-50333", "Cleaning brush set", 1, 9.99),
    ]
    .into_iter()
    .map(|(sku, name, quantity, unit_price)| {
        json!({"sku": sku, "name": name, "quantity": quantity, "unitPrice": unit_price})
    })
    .collect();
    json!({
        "order": {
            "orderId": "ORD-2026-000184223",
            "placedAt": "2026-03-14T09:26:53Z",
            "currency": "EUR",
            "channel": "web",
            "customer": {
                "id": "CUST-88412",
                "name": "Ada Example",
                "email": "ada@example.com",
                "tier": "gold",
                "marketingOptIn": false
            },
            "shipping": {
                "method": "express",
                "address": {
                    "line1": "Kastanienallee 12",
                    "city": "Berlin",
                    "postcode": "10435",
                    "country": "DE"
                },
                "instructions": "Leave with the neighbour at number 14 if nobody is home."
            },
            "payment": {
                "method": "card",
                "card": {"brand": "visa", "last4": "4242", "expiry": "09/29"}
            },
            "items": items,
            "totals": {"subtotal": 207.14, "tax": 39.36, "shipping": 7.5, "total": 254.0}
        },
        "trace": {"requestId": "5f0c8a3e-2d41-4c8b-9a57-1b3f6e2d7c90", "attempt": 1}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_is_the_documented_shape() {
        let expected: Value = serde_json::from_str(
            r#"{"StartAt":"P","States":{"P":{"Type":"Pass","Next":"S"},"S":{"Type":"Succeed"}}}"#,
        )
        .unwrap_or(Value::Null);
        assert_eq!(Workload::Hello.definition(), expected);
        assert_eq!(Workload::Hello.input().to_string(), r#"{"a":1}"#);
    }

    #[test]
    fn chain10_has_ten_pass_states_and_a_kibibyte_of_input() {
        let definition = Workload::Chain10.definition();
        let states = definition["States"].as_object().map(|s| s.len());
        assert_eq!(states, Some(10));
        assert!(
            definition["States"]
                .as_object()
                .into_iter()
                .flatten()
                .all(|(_, s)| s["Type"] == "Pass")
        );
        let size = Workload::Chain10.input().to_string().len();
        assert!((900..=1300).contains(&size), "input is {size} bytes");
    }

    #[test]
    fn all_selects_both_workloads_in_order() {
        assert_eq!(
            WorkloadChoice::All.workloads(),
            vec![Workload::Hello, Workload::Chain10]
        );
    }
}
