export { orderLifecycleWorkflow } from './order/order-workflow';
export { orderGroupWorkflow } from './order-group';
export { reconciliationWorkflow } from './reconciliation';
export { killSwitchWorkflow, dailyLossCheckWorkflow } from './kill-switch';
export { accountSupervisorWorkflow } from './account-supervisor';
export { positionMonitorWorkflow } from './position-monitor';
