from hongheo.api.v1.router import build_api

api = build_api()
