/**
 * AWS JSON 1.1 errors: HTTP status plus `{"__type": code, "message": ...}`. The codes the model declares
 * for every operation used here are ValidationException and ResourceNotFoundException.
 */
export class ApiError extends Error {
    constructor(
        readonly code: string,
        message: string,
        readonly status = 400,
    ) {
        super(message);
        this.name = code;
    }
}

export function validationError(message: string): ApiError {
    return new ApiError("ValidationException", message);
}

export function notFound(message: string): ApiError {
    return new ApiError("ResourceNotFoundException", message);
}
