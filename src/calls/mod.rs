//! Call records. A call is one row keyed by `call_id`, created by whichever request
//! carrying that id comes first (verify, search, evaluate, handoff, finalize) and enriched
//! by the rest.

use crate::db::schema::calls;
use crate::db::DbConnection;
use diesel::prelude::*;

/// Makes sure the call exists; fills the carrier's MC and name when newly known.
pub fn touch(
    conn: &mut DbConnection,
    call_id: &str,
    mc_number: Option<&str>,
    carrier_name: Option<&str>,
    now_ms: i64,
) -> QueryResult<()> {
    crate::per_backend!(conn, c => {
        diesel::insert_into(calls::table)
            .values((
                calls::call_id.eq(call_id),
                calls::mc_number.eq(mc_number),
                calls::carrier_name.eq(carrier_name),
                calls::outcome_conflict.eq(false),
                calls::first_seen_at.eq(now_ms),
                calls::updated_at.eq(now_ms),
            ))
            .on_conflict(calls::call_id)
            .do_nothing()
            .execute(c)?;
    });
    if mc_number.is_some() || carrier_name.is_some() {
        let target = calls::table.find(call_id);
        if let Some(mc) = mc_number {
            diesel::update(target)
                .set((calls::mc_number.eq(mc), calls::updated_at.eq(now_ms)))
                .execute(conn)?;
        }
        if let Some(name) = carrier_name {
            diesel::update(target)
                .set((calls::carrier_name.eq(name), calls::updated_at.eq(now_ms)))
                .execute(conn)?;
        }
    }
    Ok(())
}
