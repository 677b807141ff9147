"""jobgate publisher: what each partner may see of each offer, and in which format.

Pure core: :func:`eligible` (which offers go to a partner), :func:`visible_offer`
(the redacted copy a partner may see), :func:`diffusion_of` (the diffusion mode
of a public-service record), and streaming exporters (:data:`FORMATS`,
:func:`get_exporter`). Delivery (store, HTTP, retries) is built on top.
"""

from publisher.diffusion import diffusion_of, visible_offer
from publisher.eligibility import eligible
from publisher.formats import FORMATS, get_exporter

__all__ = ["FORMATS", "diffusion_of", "eligible", "get_exporter", "visible_offer"]
