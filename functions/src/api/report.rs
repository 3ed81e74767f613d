//! `GET /api/v1/units/{id}/report?period=…` — a unit's figures and each child's.

use super::{AppState, Authenticated};
use crate::ApiError;
use crate::error::ErrorBody;
use crate::store::{
    AccessStore, CatalogueStore, Freshness, HonourStore, ModelStore, ReportStore, StoreError, UnitStore,
};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use domain::report_table::ReportTable;
use domain::{
    Action, DomainError, Report, ReportPeriod, Unit, UnitFigures, UnitId, authorize, carried_sum, column_figures,
    column_name, report_columns,
};
use futures_util::stream::{self, StreamExt, TryStreamExt};
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// `2025`, `2025-H1`, `2025-9M`, `2025-Q3`, `2025-11` or `2021..2025`.
    #[param(value_type = ReportPeriod)]
    pub(super) period: String,
}

/// Figures of the unit and of each child unit for the period.
#[utoipa::path(
    get,
    path = "/api/v1/units/{id}/report",
    tag = "reports",
    params(("id" = UnitId, Path, description = "The unit"), ReportQuery),
    security(("device_token" = [])),
    responses(
        (status = 200, description = "The figures", body = Report),
        (status = 403, description = "forbidden: the unit is outside the caller's reach", body = ErrorBody),
        (status = 422, description = "invalid_period, invalid_id, unknown_unit: no period (or not one the app \
            knows), or no such unit", body = ErrorBody),
    )
)]
pub async fn report<S: ReportStore + AccessStore + UnitStore + CatalogueStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    Path(id): Path<String>,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Json<Report>, ApiError> {
    Ok(Json(build(&state, &caller, id, query).await?))
}

/// The same report as an Excel workbook: the Front's annex table by content, a column per
/// child unit, real number cells.
#[utoipa::path(
    get,
    path = "/api/v1/units/{id}/report.xlsx",
    tag = "reports",
    params(("id" = UnitId, Path, description = "The unit"), ReportQuery),
    security(("device_token" = [])),
    responses(
        (status = 200, description = "The workbook", content_type = XLSX, body = Vec<u8>),
        (status = 403, description = "forbidden: the unit is outside the caller's reach", body = ErrorBody),
        (status = 422, description = "invalid_period, invalid_id, unknown_unit: no period (or not one the app \
            knows), or no such unit", body = ErrorBody),
    )
)]
pub async fn report_xlsx<S: ReportStore + AccessStore + UnitStore + ModelStore + HonourStore + CatalogueStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    Path(id): Path<String>,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    download(&state, &caller, id, query, Format::Xlsx).await
}

/// The same report as CSV for Excel in Vietnamese settings (UTF-8 with a byte order mark,
/// `;` between fields).
#[utoipa::path(
    get,
    path = "/api/v1/units/{id}/report.csv",
    tag = "reports",
    params(("id" = UnitId, Path, description = "The unit"), ReportQuery),
    security(("device_token" = [])),
    responses(
        (status = 200, description = "The table", content_type = CSV, body = String),
        (status = 403, description = "forbidden: the unit is outside the caller's reach", body = ErrorBody),
        (status = 422, description = "invalid_period, invalid_id, unknown_unit: no period (or not one the app \
            knows), or no such unit", body = ErrorBody),
    )
)]
pub async fn report_csv<S: ReportStore + AccessStore + UnitStore + ModelStore + HonourStore + CatalogueStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    Path(id): Path<String>,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    download(&state, &caller, id, query, Format::Csv).await
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const CSV: &str = "text/csv; charset=utf-8";

/// A file a report downloads as.
#[derive(Clone, Copy)]
enum Format {
    Xlsx,
    Csv,
}

/// The report as a file, `bao-cao-{unit}-{period}.{extension}`, both formats written from
/// the one `ReportTable`.
async fn download<S: ReportStore + AccessStore + UnitStore + ModelStore + HonourStore + CatalogueStore>(
    state: &AppState<S>,
    caller: &domain::Caller,
    id: String,
    query: Result<Query<ReportQuery>, QueryRejection>,
    format: Format,
) -> Result<Response, ApiError> {
    let report = build(state, caller, id, query).await?;
    let table = table_of(state, caller, &report).await?;
    // The same period a year earlier beside it.
    let table = match report.period.year_before() {
        Some(before) => {
            let earlier = report_of(state, caller, &report.unit.unit, before).await?;
            table.beside(&table_of(state, caller, &earlier).await?)
        }
        None => table,
    };
    let (extension, content_type, bytes) = match format {
        Format::Xlsx => {
            let bytes = crate::export::xlsx(&table).map_err(|e| StoreError(format!("writing the workbook: {e}")))?;
            ("xlsx", XLSX, bytes)
        }
        Format::Csv => ("csv", CSV, table.to_csv().into_bytes()),
    };
    let name = domain::report_table::file_name(&report.unit.unit, report.period, extension);
    let disposition = format!("attachment; filename=\"{name}\"");
    let headers = [(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, disposition)];
    Ok((headers, bytes).into_response())
}

/// A report as the Front's table, its models and honours the last groups.
async fn table_of<S: ReportStore + AccessStore + UnitStore + ModelStore + HonourStore + CatalogueStore>(
    state: &AppState<S>,
    caller: &domain::Caller,
    report: &Report,
) -> Result<ReportTable, ApiError> {
    let models = super::models::report(state, caller, &report.unit.unit, report.period).await?;
    let honours = super::honours::report(state, caller, &report.unit.unit, report.period).await?;
    let tree = state.tree_knowing([&report.unit.unit]).await?;
    let catalogue = state.catalogue_at(&tree, &report.unit.unit).await?;
    Ok(ReportTable::new(report, &catalogue).with_models(&models).with_honours(&honours))
}

/// The report of the unit `id` for the query's period, if the caller may read it.
async fn build<S: ReportStore + AccessStore + UnitStore + CatalogueStore>(
    state: &AppState<S>,
    caller: &domain::Caller,
    id: String,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Report, ApiError> {
    // The period is the query's one field: whatever refuses the query is a missing period.
    let Query(query) = query.map_err(|_| DomainError::InvalidPeriod(String::new()))?;
    let period: ReportPeriod = query.period.parse()?;
    report_of(state, caller, &UnitId::new(id)?, period).await
}

/// The report of `unit` for `period`, if the caller may read it.
async fn report_of<S: ReportStore + AccessStore + UnitStore + CatalogueStore>(
    state: &AppState<S>,
    caller: &domain::Caller,
    unit: &UnitId,
    period: ReportPeriod,
) -> Result<Report, ApiError> {
    let tree = state.tree_knowing([&caller.scope, unit]).await?;
    let unit = tree.get(unit)?;
    authorize(caller, Action::ReadFigures, &unit.id, &tree)?;
    let freshness = if unit.is_area() { Freshness::Latest } else { Freshness::Recent };
    let catalogue = state.catalogue_at(&tree, &unit.id).await?;
    // Each unit's figures come from its own rollups and those of the units it carries on
    // (two reads each), so a province's hundred communes are read a few at a time rather
    // than one after another.
    let figures_of = async |(unit, reads): (&Unit, Vec<UnitId>)| -> Result<UnitFigures, ApiError> {
        let read_one = async |carried: &UnitId| -> Result<_, ApiError> {
            let totals = state.store.counter_totals(carried, period, freshness).await?;
            let rollups = state.store.register_rollups(carried, period, freshness).await?;
            Ok((carried.clone(), totals, rollups))
        };
        let read = futures_util::future::try_join_all(reads.iter().map(read_one)).await?;
        let (totals, rollups) = carried_sum(&catalogue, &tree, period, read);
        Ok(column_figures(&catalogue, &tree, unit, &reads, period, &totals, &rollups))
    };
    let columns = report_columns(&tree, &unit.id, period);
    let names: Vec<String> = columns.iter().map(|(column, _)| column_name(&tree, &unit.id, column)).collect();
    let mut children: Vec<UnitFigures> =
        stream::iter(columns).map(figures_of).buffered(PARALLEL_READS).try_collect().await?;
    for (child, name) in children.iter_mut().zip(names) {
        child.name = name;
    }
    let unit = figures_of((unit, tree.carried(&unit.id))).await?;
    Ok(Report { period, period_name: period.to_vietnamese(), unit, children })
}

/// How many units' figures a report reads at once.
const PARALLEL_READS: usize = 16;
