import { log, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { orderDetails } from '../../domain/order-summary';
import type { PendingSave, Recorded } from '../../activities/record-outcome';
import type { ChasePolicy, CompletionPolicy } from '../../domain/execution-ladder';
import type { FallbackRung } from '../../domain/fallback';
import { brokerTagFor } from '../../domain/hash';
import { actorOf } from '../../domain/order-draft';
import { initialOrderState, type AuditEvent, type OrderEvent, type OrderState } from '../../domain/order-state';
import { transition } from '../../domain/order-transition';
import { isCompact } from '../../domain/order-validation';
import { DEFAULT_RETRY, type RetryConfig } from '../../domain/retry-strategy';
import { LegBook } from '../child-orders';
import { DEFAULT_ORDER_WORKFLOW_CONFIG, type OrderWorkflowConfig } from '../order-config';
import { FailureTypes, type BrokerUpdate, type InterventionRequest, type ModifyRequest, type OrderWorkflowInput } from '../order-messages';
import { OrderStatus } from '../search-attributes';
import { admissionStore, store } from './activities';
import { failureMessage, failureType } from './failures';
import { ParentReport } from './parent-report';

export type CommandError = { message: string; type?: string; details?: unknown[] };
/** A modify or cancel waiting to be run. `legId`: sent by the parent workflow, answered in the next leg update. */
export type Command =
  | { kind: 'modify'; changes: ModifyRequest; by: string; done: boolean; error?: CommandError; legId?: string }
  | { kind: 'cancel'; reason?: string; by: string; done: boolean; error?: CommandError; legId?: string };

/**
 * What a save sends of the state (it is recorded in the history with every save): the status history is in
 * order_events, the instrument is not stored, and a compact risk report never overwrites the full one in Postgres.
 */
function forSave(s: OrderState): OrderState {
  return { ...s, history: [], instrument: null, validation: isCompact(s.validation) ? null : s.validation };
}

/**
 * One order's run: its state and the few mechanics every step shares (apply a domain event, save, report to a
 * parent). The steps themselves live in the files beside this one, one concern each.
 */
export class OrderRun {
  readonly cfg: OrderWorkflowConfig;
  readonly retry: RetryConfig;
  state: OrderState;
  /** Audit events not yet saved to Postgres. */
  private unsaved: AuditEvent[] = [];
  /** Broker hints not yet in the audit trail (recordHints). */
  private hints: { update: BrokerUpdate; at: string }[] = [];
  /** Validated and persisted (or waiting for an operator): the admission update answers from here on. */
  admitted: boolean;
  /** The status in the order's search attribute (the API starts the workflow with RECEIVED). */
  private publishedStatus: string;
  /** A postback or the reconciler said "look now". */
  brokerHint: BrokerUpdate | null = null;
  readonly commands: Command[] = [];
  /** An operator's answer to the intervention the order waits on. */
  decision: InterventionRequest | null = null;
  readonly seenLegCommands = new Set<string>();
  readonly parent = new ParentReport();
  /** Fallback rungs already taken for this order (each is taken once). */
  readonly fallbackTaken: FallbackRung[];
  private legBook: LegBook | null = null;

  readonly chase: ChasePolicy | undefined;
  ladderStep = 0;
  /** When the next chase rung is due (workflow clock, ms), or null when the order is not being chased. */
  ladderAt: number | null = null;
  readonly completion: CompletionPolicy | undefined;
  completed = false;
  /** The current polling interval: back to pollMinMs on news, doubling up to pollMaxMs while nothing changes. */
  idleMs: number;

  constructor(readonly input: OrderWorkflowInput) {
    this.cfg = { ...DEFAULT_ORDER_WORKFLOW_CONFIG, ...input.config };
    this.retry = { ...DEFAULT_RETRY, ...this.cfg.retry };
    this.state = input.resume ?? initialOrderState({
      orderId: input.orderId, tag: brokerTagFor(input.orderId), payloadHash: input.payloadHash, request: input.request, at: input.receivedAt, link: input.link,
    });
    this.admitted = this.state.status !== 'RECEIVED';
    this.publishedStatus = this.state.status;
    this.fallbackTaken = (this.state.attempts ?? []).flatMap((a) => (a.rung ? [a.rung as FallbackRung] : []));
    this.chase = this.state.request.orderType === 'LIMIT' ? this.state.request.execution?.chase ?? this.cfg.chase : undefined;
    this.completion = this.state.request.execution?.completion ?? this.cfg.completion;
    this.idleMs = this.cfg.pollMinMs;
  }

  /** The workflow clock: deterministic on replay. */
  now(): string {
    return new Date(Date.now()).toISOString();
  }

  /** Feeds one event to the domain's state machine; the audit it returns is saved by the next flush. */
  apply(event: OrderEvent): void {
    const before = this.state.status;
    const r = transition(this.state, event);
    this.state = r.state;
    this.unsaved = this.unsaved.concat(r.audit);
    if (this.state.status !== before && this.admitted) this.publishStatus();
    // What the Temporal UI shows as the order's current details (no history event: read through a query).
    setCurrentDetails(orderDetails(this.state));
  }

  /**
   * The order's status search attribute, when it changed since last published. During admission (one workflow task)
   * only the status the order leaves admission with is published: the steps in between are in the audit trail.
   */
  publishStatus(): void {
    if (this.state.status === this.publishedStatus) return;
    upsertSearchAttributes([{ key: OrderStatus, value: this.state.status }]);
    this.publishedStatus = this.state.status;
  }

  /** Admission is over (the POST answers now): the status the order is in is published. */
  markAdmitted(): void {
    this.admitted = true;
    this.publishStatus();
  }

  /** The save an activity may make with its outcome: the state before the call, the audit not saved yet, and now. */
  pendingSave(): PendingSave {
    this.recordHints();
    return { state: forSave(this.state), events: [...this.unsaved], at: this.now() };
  }

  /**
   * Applies an activity's outcome. When nothing else happened to the order during the call, the event carries the
   * time of the call (as the activity stamped it), and when the activity saved it (`recorded`) Postgres holds exactly
   * this state: nothing is left to save. When something did (a signal came in meanwhile), the event carries the time
   * it is applied, so the audit's times follow its sequence, and the next flush saves it all over the activity's save.
   */
  applyRecorded(event: (at: string) => OrderEvent, record: PendingSave, recorded: Recorded | undefined): void {
    const untouched = this.state.eventSequence === record.state.eventSequence;
    this.apply(event(untouched ? record.at : this.now()));
    if (untouched) this.saved(recorded);
  }

  /** An activity made the pending save: nothing is left to save unless the order moved on during the call. */
  saved(recorded: Recorded | undefined): void {
    if (recorded && recorded.sequence === this.state.eventSequence) this.unsaved = [];
  }

  /**
   * A broker hint: the order reads the broker at its next wake. The hint goes into the audit trail with the next save
   * (signal handlers cannot run activities), not as a change of its own: a hint that comes in while a read or a save
   * is out does not make that save stale. Hints that come after the read that ended the order are not recorded: that
   * read already holds everything they say.
   */
  noteBrokerSignal(update: BrokerUpdate): void {
    this.brokerHint = update;
    this.hints.push({ update, at: this.now() });
  }

  /** A hint the read that just came back already covers (same broker status, no fill beyond it) needs no read of its own. */
  dropStaleHint(brokerStatus: string, filledQuantity: number): void {
    const h = this.brokerHint;
    if (h && h.source !== 'operator' && h.status === brokerStatus && (h.filledQuantity ?? 0) <= filledQuantity) this.brokerHint = null;
  }

  /** The hints received since the last save, as audit events of the next one. */
  private recordHints(): void {
    for (const { update, at } of this.hints.splice(0)) {
      const sequence = this.state.eventSequence + 1;
      this.state = { ...this.state, eventSequence: sequence };
      this.unsaved.push({ sequence, type: 'BROKER_SIGNAL', fromStatus: null, toStatus: null, source: update.source, actor: actorOf(update.source), payload: { ...update }, occurredAt: at });
    }
  }

  /** Saves the state and the unsaved audit events (idempotent upserts), then tells a parent what changed. */
  async flush(): Promise<void> {
    if (this.unsaved.length > 0) {
      this.recordHints();
      const events = [...this.unsaved];
      // Until the order is admitted, its saves are local (admission in one workflow task); after it, regular.
      try {
        await (this.admitted ? store : admissionStore).saveOrderProgress({ state: forSave(this.state), events });
      } catch (err) {
        // The database refused the data itself: retrying cannot help and must not stop the order. Its history keeps
        // what happened; the operator log says which save was lost.
        if (failureType(err) !== FailureTypes.dataRejected) throw err;
        log.error('order save refused by the database; the order goes on', { orderId: this.state.orderId, events: events.map((e) => e.type), error: failureMessage(err) });
      }
      this.unsaved = this.unsaved.slice(events.length);
    }
    await this.parent.send(this.state);
  }

  /** Marks a command done (with its refusal, if any); a parent's command is answered in the next leg update. */
  finish(command: Command, error?: CommandError): void {
    if (error) command.error = error;
    command.done = true;
    if (command.legId) this.parent.answered(command.legId, command.error?.message);
  }

  pendingCommand(): Command | undefined {
    return this.commands.find((c) => !c.done);
  }

  /** The child orders of a split order (created on first use: most orders have none). */
  legs(): LegBook {
    return (this.legBook ??= new LegBook(this.state.orderId, this.input.config));
  }

  /** The freeze quantity the risk gate applied to this order, when one is configured for its underlying. */
  freezeQuantity(): number | null {
    const limit = this.state.validation?.checks.find((c) => c.check === 'freeze_quantity')?.limit;
    return typeof limit === 'number' ? limit : null;
  }

  /** Long histories start over with the same state; never while a command is being answered. */
  continueAsNewDue(): boolean {
    return workflowInfo().historyLength > this.cfg.maxHistoryEvents && this.commands.every((c) => c.done);
  }
}
