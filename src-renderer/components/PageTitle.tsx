import { Title } from '@mantine/core';
import { useEffect, useRef } from 'react';

/** Each page's h1. It takes focus when the page opens so screen readers announce the new page. */
export function PageTitle({ children }: { children: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [children]);
  return (
    <Title order={1} size="h2" mb="md" ref={ref} tabIndex={-1} className="page-title">
      {children}
    </Title>
  );
}
