//! The orders API of the Arazzo runner benchmark (bench/arazzo/orders.openapi.yaml),
//! answered from the request alone: shared by the HTTP mock and the in-memory transport
//! of `arazzo_loop`.

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};

/// The answer to one request: status and JSON body. Anything but 200 means the runner
/// sent a wrong value.
pub fn answer(
    next_id: &AtomicU64,
    method: &str,
    path: &str,
    query: &str,
    body: &Value,
) -> (u16, Value) {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let refuse = |what: &str| (400, json!({"message": what}));
    match (method, segments.as_slice()) {
        ("POST", ["orders"]) => {
            let id = next_id.fetch_add(1, Ordering::Relaxed);
            let (Some(item), Some(quantity)) = (body["item"].as_str(), body["quantity"].as_u64())
            else {
                return refuse("item and quantity");
            };
            (
                200,
                json!({"id": format!("ord-{id}"), "item": item, "quantity": quantity, "status": "open"}),
            )
        }
        ("GET", ["orders", id]) => (200, json!({"id": id, "status": "open"})),
        ("POST", ["orders", id, "items"]) => {
            let (Some(sku), Some(price)) = (body["sku"].as_str(), body["price"].as_u64()) else {
                return refuse("sku and price");
            };
            (200, json!({"order": id, "sku": sku, "total": price}))
        }
        ("POST", ["orders", id, "payment"]) => {
            // The amount must be the total step 3 read (the price it sent, 25).
            let Some(amount) = body["amount"].as_u64().filter(|amount| *amount == 25) else {
                return refuse("amount");
            };
            (
                200,
                json!({"paymentId": format!("pay-{id}"), "amount": amount, "status": "paid"}),
            )
        }
        ("GET", ["orders", id, "receipt"]) => {
            // The payment must be the one step 4 got for this order.
            let payment = query.strip_prefix("payment=").unwrap_or_default();
            if payment != format!("pay-{id}") {
                return refuse("payment");
            }
            (
                200,
                json!({"receiptId": format!("rcpt-{id}"), "payment": payment}),
            )
        }
        _ => (404, json!({"message": "not found"})),
    }
}
