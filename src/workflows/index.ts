export { orderLifecycleWorkflow } from './order-lifecycle';
export { orderGroupWorkflow } from './order-group';
export { positionMonitorWorkflow } from './position-monitor';
