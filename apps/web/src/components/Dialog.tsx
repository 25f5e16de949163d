/**
 * A modal dialog on the native <dialog> (showModal makes the rest of the page inert and Escape cancels it), with
 * Tab kept inside and focus given back to the opener on close.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import { useI18n } from '../i18n';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), textarea:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function Dialog({
  open,
  title,
  onClose,
  children,
  labelId,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  labelId: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);
  const { t } = useI18n();

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      opener.current = document.activeElement;
      d.showModal();
      d.querySelector<HTMLElement>('[autofocus], input, textarea, button')?.focus();
    } else if (!open && d.open) {
      d.close();
    }
  }, [open]);

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    const onCancel = (e: Event) => {
      e.preventDefault();
      onClose();
    };
    const onCloseEvt = () => {
      const o = opener.current as HTMLElement | null;
      if (o && document.contains(o)) o.focus();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onClose();
        return;
      }
      if (e.key !== 'Tab') return;
      const items = [...d.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((x) => x.offsetParent !== null);
      if (!items.length) return;
      const first = items[0];
      const last = items[items.length - 1];
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    };
    d.addEventListener('cancel', onCancel);
    d.addEventListener('close', onCloseEvt);
    d.addEventListener('keydown', onKey);
    return () => {
      d.removeEventListener('cancel', onCancel);
      d.removeEventListener('close', onCloseEvt);
      d.removeEventListener('keydown', onKey);
    };
  }, [onClose]);

  return (
    <dialog ref={ref} className="dialog" aria-labelledby={labelId} aria-modal="true">
      {open && (
        <>
          <div className="dialog-head">
            <h2 id={labelId}>{title}</h2>
            <button type="button" className="btn btn-ghost" onClick={onClose} aria-label={t('common.close')}>
              ×
            </button>
          </div>
          {children}
        </>
      )}
    </dialog>
  );
}
