"""County supervision (乡财乡用县监管) and special fund monitoring (专项资金监控)."""
