export { orderLifecycleWorkflow } from './order-lifecycle';
export { orderGroupWorkflow } from './order-group';
export { killSwitchWorkflow, dailyLossCheckWorkflow } from './kill-switch';
