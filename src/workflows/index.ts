export { orderLifecycleWorkflow } from './order-lifecycle';
