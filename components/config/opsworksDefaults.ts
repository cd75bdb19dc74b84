/**
 * The OpsWorks backend's defaults, in their own file so that the schema (which applies them to
 * opsworks.maxAttempts) and the OpsWorks providers (which fall back to them) both import them, and the
 * config never reaches up into a backend.
 */

/**
 * SDK attempts per OpsWorks call. 10, not the SDK's 3 or 5: creating 50 users under 30% throttling left a
 * user for a second `up` in 7 of 20 emulator runs with 5 attempts, in none with 10 (OpsWorks throttles bulk
 * user changes).
 */
export const OPSWORKS_DEFAULT_MAX_ATTEMPTS = 10;
