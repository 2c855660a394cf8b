/** Vite turns `import './styles.css'` into the page's stylesheet. */
declare module '*.css';
