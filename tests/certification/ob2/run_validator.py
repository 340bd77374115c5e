"""Run inside the validator's virtualenv: validate one badge URL offline (the
Open Badges v2 context answered from the copy bundled with the validator)
and print the report as JSON. Usage: run_validator.py URL [EMAIL]"""

import json
import sys

from openbadges.verifier import utils, verifier
from openbadges.verifier.openbadges_context import OPENBADGES_CONTEXT_V2_DICT

CONTEXT_URLS = {
    "https://w3id.org/openbadges/v2",
    "https://openbadgespec.org/v2/context.json",
}


class OfflineLoader(utils.CachableDocumentLoader):
    def __call__(self, url, options=None):
        if url.rstrip("/") in CONTEXT_URLS or url in CONTEXT_URLS:
            return {
                "contextUrl": None,
                "documentUrl": url,
                "contentType": "application/ld+json",
                "document": OPENBADGES_CONTEXT_V2_DICT,
            }
        doc = super().__call__(url)
        doc.setdefault("contentType", "application/ld+json")
        if isinstance(doc.get("document"), str):
            doc["document"] = json.loads(doc["document"])
        return doc


loader = OfflineLoader(use_cache=False)
verifier.CachableDocumentLoader = OfflineLoader
utils.jsonld_use_cache["documentLoader"] = loader
utils.jsonld_no_cache["documentLoader"] = loader

url = sys.argv[1]
profile = {"email": sys.argv[2]} if len(sys.argv) > 2 else None
report = verifier.verify(url, recipient_profile=profile, use_cache=False)
print(json.dumps(report["report"], default=str))
