import Alerting

extension OperatorMetrics: AlertDeliveryCounter {}
