"""mmdet 3.1's ByteTracker with ByteTrack's rule for starting tracks in every frame (paper App. B.5.5)."""
from mmdet.models.trackers import ByteTracker
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData

from mmringmoe.registry import MODELS


@MODELS.register_module()
class DetThreshByteTracker(ByteTracker):
    """ByteTracker whose new tracks need ``init_track_thr`` in every frame, as ByteTrack's ``det_thresh``.

    ByteTrack (Zhang et al., ECCV 2022; ``yolox/tracker/byte_tracker.py``) starts a track from an unmatched
    detection only if its score reaches ``det_thresh = track_thresh + 0.1`` (0.4 for the paper's track
    threshold 0.3), in every frame. mmdet 3.1's ``ByteTracker`` applies ``init_track_thr`` only while it holds
    no track (a video's first frame); later it starts a tentative track from every unmatched detection above
    ``obj_score_thrs['high']`` (0.3), so detections scoring 0.3-0.4 would open tracks ByteTrack never opens.
    This subclass drops those: their tracks are removed from the memory and the detections from the output,
    as ByteTrack skips them. Track ids stay unique (ids of dropped tracks are not reused).

    Args: those of mmdet's ``ByteTracker``.
    """

    def track(self, data_sample: DetDataSample, **kwargs) -> InstanceData:
        """mmdet's tracking step, then the tracks it started below ``init_track_thr`` taken back."""
        # mmdet resets the memory (ids from 0) at a video's first frame, inside its track()
        first_new_id = 0 if data_sample.metainfo.get('frame_id', -1) == 0 else int(self.num_tracks)
        tracks = super().track(data_sample, **kwargs)
        weak = (tracks.instances_id >= first_new_id) & (tracks.scores < self.init_track_thr)
        for track_id in tracks.instances_id[weak].tolist():
            self.tracks.pop(track_id)
        return tracks[~weak]
