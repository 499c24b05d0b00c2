export { orderLifecycleWorkflow } from './order/order-workflow';
export { orderGroupWorkflow } from './order-group';
export { reconciliationWorkflow } from './reconciliation';
export { killSwitchWorkflow, dailyLossCheckWorkflow } from './kill-switch';
export { positionMonitorWorkflow } from './position-monitor';
