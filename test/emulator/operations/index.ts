/** The operations the emulator implements, by API name. */
import { Handler } from "../state";
import { instanceOperations } from "./instances";
import { permissionOperations } from "./permissions";
import { stackOperations } from "./stacks";
import { userProfileOperations } from "./userProfiles";

// Each handler declares its own input type; the service model has validated the input before it runs.
export const handlers: Readonly<Record<string, Handler>> = {
    ...stackOperations,
    ...userProfileOperations,
    ...permissionOperations,
    ...instanceOperations,
} as unknown as Record<string, Handler>;
