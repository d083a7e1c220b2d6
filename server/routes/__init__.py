"""One APIRouter per resource; `server.api` includes them."""
