from .modality_tile_dataset import ModalityTileDataset
from .multimodal_dataset import MultiModalDataset
from .samplers import ModalityBatchSampler
from .transforms import CorruptFileError, InvalidRasterError, LoadRasterImage
from .air_polsar_seg import AIRPolSARSegDataset  # segmentation datasets
from .dfc23 import DFC23Dataset
from .dynamic_earthnet import DynamicEarthNetDataset
from .isaid import ISAIDDataset
from .loveda import LoveDADataset
from .isprs_height import ISPRSHeightDataset, PotsdamHeightDataset  # height estimation datasets
from .isprs_height import VaihingenHeightDataset
from .potsdam import PotsdamDataset
from .rs_base_seg_dataset import RSBaseSegDataset
from .rs_pair_seg_dataset import RSPairSegDataset
from .sarsegl1 import SARSegL1Dataset
from .whu_opt_sar import WHUOptSARDataset
from .aid import AIDDataset  # scene classification datasets
from .nwpu_resisc45 import NWPURESISC45Dataset
from .scene_cls_dataset import SceneClsDataset
from .coco_det_dataset import RSCocoDetDataset  # detection datasets
from .dior import DIORDataset
from .hrsid import HRSIDDataset
from .sar_aircraft import SARAircraftDataset
from .sardet100k import SARDet100KDataset
from .voc_det_dataset import RSVOCDetDataset
from .dior_r import DIORRDataset  # oriented detection datasets
from .hrsc2016 import HRSC2016Dataset
from .oriented_annotations import AnnotationError
from .sat_video_mot import AIRHSAODataset, AIRMOTDataset  # tracking datasets
from .cdd import CDDDataset  # change detection datasets
from .levir_cd import LEVIRCDDataset
from .rs_change_dataset import RSChangeDataset
from . import fewshot  # noqa: F401  (few-shot episodes)

__all__ = [
    'CorruptFileError', 'InvalidRasterError', 'LoadRasterImage', 'ModalityBatchSampler',
    'ModalityTileDataset', 'MultiModalDataset'
]
__all__ += [
    'AIRPolSARSegDataset', 'DFC23Dataset', 'DynamicEarthNetDataset', 'ISAIDDataset', 'LoveDADataset', 'PotsdamDataset',
    'RSBaseSegDataset', 'RSPairSegDataset', 'SARSegL1Dataset', 'WHUOptSARDataset'
]
__all__ += ['AIDDataset', 'NWPURESISC45Dataset', 'SceneClsDataset']
__all__ += ['AnnotationError', 'DIORRDataset', 'HRSC2016Dataset']
__all__ += [
    'DIORDataset', 'HRSIDDataset', 'RSCocoDetDataset', 'RSVOCDetDataset', 'SARAircraftDataset',
    'SARDet100KDataset'
]
__all__ += ['CDDDataset', 'LEVIRCDDataset', 'RSChangeDataset']
__all__ += ['AIRHSAODataset', 'AIRMOTDataset']
__all__ += ['ISPRSHeightDataset', 'PotsdamHeightDataset', 'VaihingenHeightDataset']
