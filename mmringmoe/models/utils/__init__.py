"""Model utilities: state-dict mappings, upcycling and parameter accounting."""
from .balance_loss import weighted_balance_losses
from .meta_init import count_parameters, meta_device
from .state_dict import summarize_keys, swinv2_to_ringmoe_state_dict
from .upcycle import upcycle_swinv2_state_dict

__all__ = ['count_parameters', 'meta_device', 'summarize_keys', 'swinv2_to_ringmoe_state_dict',
           'upcycle_swinv2_state_dict', 'weighted_balance_losses']
