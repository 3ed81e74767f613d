//! `POST /api/v1/sync` — a device sends the cells that changed since its last acknowledged sync.

use super::json::ApiJson;
use super::{AppState, Authenticated};
use crate::ApiError;
use crate::error::ErrorBody;
use crate::store::{CatalogueStore, Charge, DeviceRecord, SyncStore, Synced, UnitStore};
use axum::extract::State;
use axum::{Extension, Json};
use domain::{AccessError, Action, DomainError, PROTOCOL, SyncRequest, SyncResponse, UnitId, authorize, limits};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Checks the request as a whole — its protocol, its size, the caller's own device — then
/// sorts its cells: those of the caller's areas that pass the domain's rules (register
/// stamps not ahead of the server's clock) are applied, each atomically with the totals
/// it moves; the others come back refused, one by one. A protocol 1 phone takes any
/// answer as "every cell stored", so for it one refused cell refuses the whole request.
/// A repeat changes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/sync",
    tag = "sync",
    request_body = SyncRequest,
    security(("device_token" = [])),
    responses(
        (status = 200, description = "Every cell stored (repeats and stale cells count as unchanged) or, from \
            protocol 2, refused with its reason; `ahead` holds stored states of this device the request did not \
            cover; `server_ms` is the server's clock", body = SyncResponse),
        (status = 403, description = "forbidden, wrong_device: another device's cells, or (protocol 1) an area \
            outside the device's scope; nothing was stored", body = ErrorBody),
        (status = 422, description = "unsupported_protocol, too_many_cells, duplicate_cell, invalid_id, \
            invalid_period, unknown_unit, not_an_area, area_closed, unknown_indicator, wrong_kind, invalid_amount, \
            negative_total, retired_indicator, stamp_in_future: a protocol or size refused, or (protocol 1) a domain rule refused a \
            cell; nothing was stored", body = ErrorBody),
        (status = 429, description = "too_many_attempts, quota_exceeded: too many wrong tokens from this client, \
            or the device's cells of the day are used up; nothing was stored", body = ErrorBody),
        (status = 500, description = "internal: retry the same request; no cell is ever counted twice", body = ErrorBody),
    )
)]
pub async fn sync<S: SyncStore + UnitStore + CatalogueStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    Extension(record): Extension<DeviceRecord>,
    ApiJson(request): ApiJson<SyncRequest>,
) -> Result<Json<SyncResponse>, ApiError> {
    let areas = request.counters.iter().map(|c| &c.area).chain(request.registers.iter().map(|r| &r.area));
    let areas = std::iter::once(&caller.scope).chain(areas);
    let tree = state.tree_knowing(areas).await?;
    if request.device != caller.device {
        return Err(AccessError::WrongDevice.into());
    }
    request.check_envelope()?;
    let catalogue = state.catalogue_at(&tree, &caller.scope).await?;
    let (tree, catalogue) = (&tree, &*catalogue);
    let now = state.now_ms();
    let (accepted, refused) = if request.protocol < PROTOCOL {
        // Protocol 1: the first refused cell refuses the request, with its own error.
        request.validate(tree, catalogue)?;
        let (accepted, refused) = request.sort(tree, catalogue, now, |_| Ok(()));
        if !refused.is_empty() {
            // The domain's rules passed: what is left is a stamp ahead of the clock.
            return Err(DomainError::StampInFuture.into());
        }
        let areas: BTreeSet<&UnitId> =
            request.counters.iter().map(|c| &c.area).chain(request.registers.iter().map(|r| &r.area)).collect();
        for area in areas {
            authorize(&caller, Action::WriteCells, area, tree)?;
        }
        (accepted, refused)
    } else {
        request.sort(tree, catalogue, now, |area| {
            authorize(&caller, Action::WriteCells, area, tree).map_err(|refused| {
                let refused = AccessError::Forbidden(refused);
                (refused.code(), refused.message_vi())
            })
        })
    };
    let cells = accepted.len() as u64;
    let (day, max) = (limits::day_of(now), limits::CELLS_PER_DEVICE_PER_DAY);
    // A ledger holding fewer entries than one of this device held before is an older copy.
    let entries_seen = record.entries_seen.max(request.entries);
    let charge = Charge { day, cells, max, at_ms: now, known: record.quota, entries_seen };
    let mut response = match state.store.sync(tree, &accepted, &charge, &caller.scope).await? {
        Synced::Applied(response) => response,
        Synced::OverQuota => return Err(AccessError::QuotaExceeded.into()),
        // The device was revoked after its token was checked (a succession or a void).
        Synced::Refused(refused) => return Err(refused.into()),
    };
    response.refused = refused;
    response.server_ms = state.now_ms();
    response.entries = entries_seen;
    response.catalogue = catalogue.version.clone();
    Ok(Json(response))
}
