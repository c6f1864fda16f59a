//! The OpenAPI document, generated from the handlers' annotations and the types they use, so
//! it cannot drift from the code (`GET /api/openapi.json`; a test checks every route is in it).

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{api, auth, calibration, floor_area, ops, probe, seed, ws};

#[derive(OpenApi)]
#[openapi(
    info(title = "razz", description = "De-duplicated people counts per room from IP cameras."),
    paths(
        auth::login, auth::logout, auth::me, auth::create_user,
        api::list_rooms, api::get_room, api::create_room, api::patch_room, api::delete_room, api::room_history,
        api::list_cameras, api::get_camera, api::create_camera, api::patch_camera, api::delete_camera,
        api::camera_status, api::camera_snapshot,
        calibration::get_calibration, calibration::put_calibration, calibration::delete_calibration,
        floor_area::get_floor_area, floor_area::put_floor_area, floor_area::delete_floor_area,
        seed::room_count, seed::room_people, seed::all_counts,
        probe::connection_test,
        ws::room, ws::camera, ws::camera_video,
        ops::healthz, ops::readyz, ops::metrics,
    ),
    components(schemas(razz_live::RoomSnapshot, razz_live::CameraSnapshot)),
    modifiers(&Security),
    security(("bearer" = []), ("cookie" = []))
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let c = doc.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        c.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::COOKIE))),
        );
    }
}
