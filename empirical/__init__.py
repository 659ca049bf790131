"""Experimental half of ratecheck: objectives, optimizers, the multi-replicate runner."""
