"""moto's server (``python -m moto.server``) plus the Application Auto Scaling tag API moto 5.2.1 lacks.

The AWS provider tags a scalable target when it registers it and reads the tags back (ListTagsForResource); moto
answers that with a 404 page and the provider waits until its timeout. This adds TagResource, UntagResource and
ListTagsForResource for scalable targets, and the Tags of RegisterScalableTarget. Everything else is moto unchanged.
The emulator's (``npm run local``'s and the tests') addition to moto only: ghcr-ecs itself never talks to it.
"""
import json
import sys

from moto import server
from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
from moto.core.exceptions import JsonRESTError

# Scalable target ARN -> its tags.
_tags = {}
_register_scalable_target = ApplicationAutoScalingResponse.register_scalable_target
_deregister_scalable_target = ApplicationAutoScalingResponse.deregister_scalable_target


def _known(arn):
    if arn not in _tags:
        raise JsonRESTError("ResourceNotFoundException", f"No scalable target found for ARN {arn}")
    return _tags[arn]


def register_scalable_target(self):
    body = _register_scalable_target(self)
    _tags.setdefault(json.loads(body)["ScalableTargetARN"], {}).update(self._get_param("Tags") or {})
    return body


def deregister_scalable_target(self):
    resource_id = self._get_param("ResourceId")
    dimension = self._get_param("ScalableDimension")
    target = self.applicationautoscaling_backend.targets.get(dimension, {}).get(resource_id)
    body = _deregister_scalable_target(self)
    if target is not None:
        _tags.pop(target.arn, None)
    return body


def tag_resource(self):
    _known(self._get_param("ResourceARN")).update(self._get_param("Tags") or {})
    return json.dumps({})


def untag_resource(self):
    tags = _known(self._get_param("ResourceARN"))
    for key in self._get_param("TagKeys") or []:
        tags.pop(key, None)
    return json.dumps({})


def list_tags_for_resource(self):
    return json.dumps({"Tags": _known(self._get_param("ResourceARN"))})


ApplicationAutoScalingResponse.register_scalable_target = register_scalable_target
ApplicationAutoScalingResponse.deregister_scalable_target = deregister_scalable_target
ApplicationAutoScalingResponse.tag_resource = tag_resource
ApplicationAutoScalingResponse.untag_resource = untag_resource
ApplicationAutoScalingResponse.list_tags_for_resource = list_tags_for_resource


def main(argv):
    server.main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
